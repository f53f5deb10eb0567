"""The command journal from Python: open_journal recovers a folder and then
journals every command; a process killed with SIGKILL loses no call that
returned under fsync="always"; checkpoints; every refusal leaves the engine
as it was."""

import os
import random
import signal
import subprocess
import sys
import textwrap

import pytest

import ccengine


def configure(seed=5):
    """The same center every time: the journal holds commands, not this."""
    e = ccengine.Engine(seed=seed, start_s=1_000.0)
    e.add_skill("tax")
    e.add_skill("english")
    e.add_queue(name="tax", skills={"tax": 3}, strategy="random", wrap_up_s=5)
    e.add_queue(name="english", skills={"english": 1}, offer_timeout_s=20)
    return e


def drive(e, rng, steps, first_contact=1):
    """Random agents and contacts through the synchronous calls, including
    some the engine refuses."""
    contact = first_contact
    for _ in range(steps):
        e.advance_to(e.now + rng.uniform(0, 30))
        r = rng.random()
        try:
            if r < 0.1:
                agent = rng.randint(1, 6)
                e.add_agent(agent, skills={"tax": rng.randint(1, 9), "english": 2})
            elif r < 0.3:
                e.login(rng.randint(1, 6))
            elif r < 0.6:
                e.add_contact(contact, rng.choice(["tax", "english"]),
                              customer_id=f"c{rng.randint(1, 9)}")
                contact += 1
            else:
                events = e.drain_events()
                offers = [ev for ev in events if ev["type"] == "offered"]
                for ev in offers:
                    e.accept_offer(ev["agent"], ev["contact"], offer=ev["offer"])
                for a in range(1, 7):
                    try:
                        agent = e.get_agent(a)
                    except KeyError:
                        continue
                    for c in agent.get("contacts", []):
                        e.complete_contact(a, c, csat=rng.randint(1, 5))
        except (ccengine.CcengineError, KeyError, ValueError):
            pass  # refused, and journaled as refused
    return contact


def test_a_journaled_engine_recovers_to_the_same_state(tmp_path):
    e = configure()
    report = e.open_journal(str(tmp_path / "j"))
    assert report["snapshot_sequence"] is None and report["replayed"] == 0
    rng = random.Random(3)
    drive(e, rng, 150)
    taken = e.checkpoint()
    assert taken["sequence"] == e.journal["last_sequence"]
    drive(e, rng, 150, first_contact=1000)
    expected = e.state_bytes()
    last = e.journal["last_sequence"]
    e.close_journal()
    assert e.journal is None

    again = configure()
    report = again.open_journal(str(tmp_path / "j"))
    assert report["snapshot_sequence"] == taken["sequence"]
    assert report["last_sequence"] == last
    assert report["replayed"] == last - taken["sequence"]
    # The clock stands at the last record; the timers due since fire now.
    again.advance_to(e.now)
    assert again.state_bytes() == expected
    again.check_invariants()
    assert again.accounting()["balanced"]


def test_configuration_and_misuse_are_refused_with_the_engine_unchanged(tmp_path):
    e = configure()
    with pytest.raises(ValueError, match="fsync"):
        e.open_journal(str(tmp_path / "j"), fsync="sometimes")
    assert e.journal is None
    e.open_journal(str(tmp_path / "j"), fsync="batch", batch_interval_s=0.002)
    assert e.journal["fsync"] == "batch"
    before = e.state_bytes()
    for call in (lambda: e.add_skill("french"),
                 lambda: e.add_queue(name="french", skills={"tax": 1}),
                 lambda: e.update_queue("tax", wrap_up_s=9),
                 lambda: e.add_composite_strategy("mix")):
        with pytest.raises(ccengine.CcengineError, match="before open_journal") as info:
            call()
        assert info.value.code == "FAILED_PRECONDITION"
    with pytest.raises(ccengine.CcengineError, match="open already"):
        e.open_journal(str(tmp_path / "other"))
    assert e.state_bytes() == before
    e.close_journal()
    with pytest.raises(ccengine.CcengineError, match="no journal is open"):
        e.checkpoint()

    # A commanded engine, or one whose clock moved, cannot start recovering.
    busy = configure()
    busy.add_agent(1, skills={"tax": 5})
    with pytest.raises(ccengine.CcengineError, match="no command and no time step"):
        busy.open_journal(str(tmp_path / "late"))
    moved = configure()
    moved.advance_to(moved.now + 60)
    with pytest.raises(ccengine.CcengineError, match="no command and no time step"):
        moved.open_journal(str(tmp_path / "late"))


def test_checkpoints_by_age_keep_no_older_snapshot_or_command(tmp_path):
    e = configure()
    e.open_journal(str(tmp_path / "j"))
    rng = random.Random(8)
    with pytest.raises(ValueError, match="max_age"):
        e.checkpoint(max_age_s=0)
    with pytest.raises(ValueError, match="max_age_s"):
        e.checkpoint(max_age_s=-5)
    assert not list((tmp_path / "j").glob("**/snapshot-*.ccs"))
    taken = []
    for _ in range(8):
        drive(e, rng, 40)  # about 600 s of engine time
        taken.append(e.checkpoint(keep=5, max_age_s=900))
    snapshots = sorted(p.name for p in (tmp_path / "j").glob("**/snapshot-*.ccs"))
    assert 1 <= len(snapshots) < 5
    oldest_kept = int(snapshots[0].split("-")[1].split(".")[0])
    assert e.journal["first_sequence"] == oldest_kept + 1
    expected = e.state_bytes()
    e.close_journal()
    again = configure()
    report = again.open_journal(str(tmp_path / "j"))
    assert report["snapshot_sequence"] == taken[-1]["sequence"]
    again.advance_to(e.now)
    assert again.state_bytes() == expected


def test_exactly_once_through_apply_with_an_origin(tmp_path):
    e = configure()
    e.open_journal(str(tmp_path / "j"))
    e.apply({"type": "add_contact", "contact": 77, "queue": "tax"}, producer=3, sequence=1)
    # A command that would succeed again if it were applied twice.
    bump = {"type": "set_priority", "contact": 77, "priority": 2}
    e.apply(bump, producer=3, sequence=2)
    with pytest.raises(ccengine.CcengineError, match="applied already") as info:
        e.apply(bump, producer=3, sequence=2)
    assert info.value.code == "ALREADY_EXISTS"
    assert e.producer_sequence(3) == 2
    e.close_journal()
    again = configure()
    again.open_journal(str(tmp_path / "j"))
    assert again.producer_sequence(3) == 2
    with pytest.raises(ccengine.CcengineError, match="applied already"):
        again.apply(bump, producer=3, sequence=2)  # resent after the restart
    again.apply(bump, producer=3, sequence=3)      # the next one is applied
    assert again.producer_sequence(3) == 3
    assert again.accounting()["entered"] == 1


CHILD = textwrap.dedent("""
    import random, sys
    sys.path[:0] = [{test_dir!r}]
    from test_journal import configure
    e = configure()
    e.open_journal({folder!r}, fsync="always")
    rng = random.Random(9)
    contact = 1
    while True:
        e.advance_to(e.now + rng.uniform(0, 5))
        if rng.random() < 0.2:
            a = rng.randint(1, 30)
            try:
                e.add_agent(a, skills={{"tax": 5}}); e.login(a)
            except Exception:
                pass
        e.add_contact(contact, "tax")
        print(contact, flush=True)   # returned: durable
        contact += 1
""")


def test_no_returned_call_is_lost_to_kill_nine(tmp_path):
    folder = str(tmp_path / "j")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(test_dir=os.path.dirname(__file__),
                                            folder=folder)],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    acknowledged = 0
    for line in child.stdout:
        acknowledged = int(line)
        if acknowledged >= 200:
            break
    child.send_signal(signal.SIGKILL)
    rest = child.stdout.read()
    for line in rest.split():
        acknowledged = int(line)
    child.wait()
    assert child.returncode == -signal.SIGKILL

    e = configure()
    report = e.open_journal(folder)
    assert report["replayed"] >= acknowledged
    for contact in range(1, acknowledged + 1):
        e.get_contact(contact)  # raises if a returned add_contact was lost
    e.check_invariants()
    assert e.accounting()["balanced"]
