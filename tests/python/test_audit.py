"""The audit trail from Python: keys, appending (personal data masked),
verification with its records, a changed byte found on its line, and the
errors (bad input, a broken chain, a missing file, a closed log)."""

import os

import pytest

import ccengine


@pytest.fixture
def audit():
    """The module's audit trail; a module built without libcrypto may skip on
    a laptop, never in CI."""
    if not hasattr(ccengine, "AuditLog"):
        if os.environ.get("CI"):
            pytest.fail("ccengine was built without adapters/audit in CI")
        pytest.skip("ccengine built without adapters/audit (libcrypto)")
    return ccengine


def write_log(audit, path, private_pem):
    with audit.AuditLog(path, private_pem, checkpoint_every=2) as log:
        first = log.append(actor="wang.li", role="supervisor", action="agent.force_state",
                           subject="agent:1007", before="busy", after="away",
                           reason="stuck call, callback 13812345678")
        second = log.append(actor="root", role="administrator", action="routing.publish",
                            subject="routing.json", after="version 8")
        third = log.append(actor="li.na", role="agent", action="session.login")
    return first, second, third


def test_entries_verify_and_come_back_masked(audit, tmp_path):
    private_pem, public_pem = audit.audit_keygen()
    assert "PRIVATE KEY" in private_pem and "PUBLIC KEY" in public_pem
    path = tmp_path / "audit.log"
    seqs = write_log(audit, path, private_pem)
    assert list(seqs) == sorted(seqs) and seqs[0] == 2

    report = audit.verify_audit_log(path, public_pem, records=True)
    assert report["intact"] is True
    assert report["entries"] == 3
    assert report["problem"] is None
    # created, one after two entries, closed
    assert report["checkpoints"] == 3
    records = report["records"]
    assert [r["seq"] for r in records] == list(seqs)
    assert records[0]["reason"] == "stuck call, callback 138****5678"
    assert records[1]["after"] == "version 8"
    assert records[2]["actor"] == "li.na" and records[2]["subject"] == ""
    assert all(r["time"] > 1.7e9 for r in records)


def test_a_changed_byte_is_found_and_appending_refused(audit, tmp_path):
    private_pem, public_pem = audit.audit_keygen()
    path = tmp_path / "audit.log"
    write_log(audit, path, private_pem)
    text = path.read_bytes()
    path.write_bytes(text.replace(b"version 8", b"version 9"))
    report = audit.verify_audit_log(path, public_pem, records=True)
    assert report["intact"] is False
    assert report["problem_line"] == 4
    assert "link hash does not match" in report["problem"]
    assert report["records"] == []
    with pytest.raises(ccengine.CcengineError, match="refusing to append") as e:
        audit.AuditLog(path, private_pem)
    assert e.value.code == "FAILED_PRECONDITION"


def test_bad_input_is_refused(audit, tmp_path):
    private_pem, public_pem = audit.audit_keygen()
    path = tmp_path / "audit.log"
    with pytest.raises(ValueError, match="sync"):
        audit.AuditLog(path, private_pem, sync="sometimes")
    with pytest.raises(ValueError, match="not an Ed25519 private key"):
        audit.AuditLog(path, public_pem)
    with pytest.raises(ValueError, match="checkpoint_every"):
        audit.AuditLog(path, private_pem, checkpoint_every=0)
    with audit.AuditLog(path, private_pem) as log:
        with pytest.raises(ValueError, match="needs an actor"):
            log.append(actor="", role="supervisor", action="queue.change")
        with pytest.raises(ValueError, match="A-Z a-z"):
            log.append(actor="a", role="b", action="force state")
        assert log.last_seq == 1  # nothing written after the creation
    with pytest.raises(ccengine.CcengineError, match="closed"):
        log.append(actor="a", role="b", action="c")
    with pytest.raises(FileNotFoundError):
        audit.verify_audit_log(tmp_path / "none.log", public_pem)
    with pytest.raises(ValueError, match="not an Ed25519 public key"):
        audit.verify_audit_log(path, private_pem)
    assert audit.verify_audit_log(path, public_pem)["intact"] is True


def test_a_desk_writes_its_ticket_events_to_the_audit_log(audit, tmp_path, hotline_access):
    routing, e, _, _ = hotline_access
    private_pem, public_pem = audit.audit_keygen()
    desk = ccengine.TicketDesk(":memory:", engine=e)
    desk.add_categories(routing)
    path = tmp_path / "audit.log"
    with audit.AuditLog(path, private_pem, sync="none") as log:
        desk.audit_to(log)
        with pytest.raises(ccengine.CcengineError) as info:
            desk.audit_to(log)
        assert info.value.code == "FAILED_PRECONDITION"
        t = desk.create("noise", "楼下烧烤店噪音扰民", actor="hotline")
        desk.cancel(t["id"], "chen", "市民撤回, 回电13912345678")
    assert desk.audit_failures == 0 and desk.audit_error is None

    report = audit.verify_audit_log(path, public_pem, records=True)
    assert report["intact"] is True
    subject = "ticket {} (noise, 城管)".format(t["id"])
    assert [(r["actor"], r["role"], r["action"], r["subject"], r["before"], r["after"],
             r["reason"]) for r in report["records"]] == [
        ("hotline", "none", "ticket.created", subject, "", "queued", ""),
        ("chen", "supervisor", "ticket.state_changed", subject, "queued", "cancelled",
         "市民撤回, 回电139****5678"),
    ]

    # The log is closed: the desk goes on, and says what it could not write.
    t2 = desk.create("noise", "路灯不亮", dedupe=False)
    assert desk.get(t2["id"])["state"] == "queued"
    assert desk.audit_failures == 1 and "closed" in desk.audit_error
    with pytest.raises(TypeError):
        ccengine.TicketDesk(":memory:", start_s=0).audit_to("audit.log")
    with pytest.raises(ValueError, match="closed"):
        ccengine.TicketDesk(":memory:", start_s=0).audit_to(log)
