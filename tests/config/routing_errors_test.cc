// The catalogue of broken routing files (ccengine/config/routing_file.h): each
// file with every error it must report, exactly — place, JSON pointer and
// message — and proof that loading reports all of them at once.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ccengine/config/routing_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ccengine::config {
namespace {

using ::testing::HasSubstr;

struct Broken {
  std::string json;
  std::vector<std::string> errors;
};

const std::vector<Broken>& Catalogue() {
  static const auto*
      cases =
          new std::vector<Broken>{
              {R"json({"skills": ["policy"], "queus": []})json",
               {R"m(f.json:1:1: /queues: missing "queues": a routing file declares its queues)m",
                R"m(f.json:1:33: /queus: unknown key "queus"; did you mean "queues"?)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "sl_second": 20}]})json",
               {R"m(f.json:1:62: /queues/0/sl_second: unknown key "sl_second"; did you mean "sl_seconds"?)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "skills": {"polcy": 5}}]})json",
               {R"m(f.json:1:69: /queues/0/skills/polcy: unknown skill "polcy"; did you mean "policy"?)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "skills": {"policy": 11}}]})json",
               {R"m(f.json:1:70: /queues/0/skills/policy: must be in 1..10, got 11)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "skills": {"policy": 2.5}}]})json",
               {R"m(f.json:1:70: /queues/0/skills/policy: expected a whole number, got 2.5)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "priority": "high"}]})json",
               {R"m(f.json:1:61: /queues/0/priority: expected a number, got a string)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "priority": 10}]})json",
               {R"m(f.json:1:61: /queues/0/priority: must be in 0..9, got 10)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "sl_target": 1.5}]})json",
               {R"m(f.json:1:62: /queues/0/sl_target: must be in 0..1, got 1.5)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "max_wait_s": -5}]})json",
               {R"m(f.json:1:63: /queues/0/max_wait_s: must be > 0 seconds, got -5)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "max_wait_s": 0}]})json",
               {R"m(f.json:1:63: /queues/0/max_wait_s: must be > 0 seconds, got 0)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "wrap_up_s": null}]})json",
               {R"m(f.json:1:62: /queues/0/wrap_up_s: expected a number of seconds, got null)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "wrap_up_s": 1e12}]})json",
               {R"m(f.json:1:62: /queues/0/wrap_up_s: must be at most 1000000000 seconds, got 1000000000000)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}, {"name": "a"}]})json",
               {R"m(f.json:1:59: /queues/1/name: queue "a" is declared twice)m"}},
              {R"json({"skills": ["policy", "policy"], "queues": [{"name": "a"}]})json",
               {R"m(f.json:1:23: /skills/1: skill "policy" is declared twice)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": ""}]})json",
               {R"m(f.json:1:44: /queues/0/name: a name must have 1..128 bytes, got 0)m"}},
              {R"json({"skills": ["policy"], "queues": [{"skills": {}}]})json",
               {R"m(f.json:1:35: /queues/0/name: missing "name")m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "overflow_to": "b"}, {"name": "b", "overflow_to": "a"}]})json",
               {R"m(f.json:1:64: /queues/0/overflow_to: overflow cycle: "a" -> "b" -> "a")m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "overflow_to": "b"}, {"name": "b", "overflow_to": "c"}, {"name": "c", "overflow_to": "b"}]})json",
               {R"m(f.json:1:99: /queues/1/overflow_to: overflow cycle: "b" -> "c" -> "b")m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "overflow_to": "a"}]})json",
               {R"m(f.json:1:64: /queues/0/overflow_to: a queue cannot overflow into itself)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "overflow_to": "bb"}, {"name": "b"}]})json",
               {R"m(f.json:1:64: /queues/0/overflow_to: unknown queue "bb"; did you mean "b"?)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "strategy": "longest_idel"}]})json",
               {R"m(f.json:1:61: /queues/0/strategy: unknown strategy "longest_idel"; did you mean "longest_idle"?)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "relaxation": [{"after_s": 30}, {"after_s": 20}]}]})json",
               {R"m(f.json:1:35: /queues/0: queue 'a': relaxation step 2 must start after 30s and be finite, got 20s)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "relaxation": [{"skills": {"policy": 3}}]}]})json",
               {R"m(f.json:1:64: /queues/0/relaxation/0: missing "after_s")m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "hours": {"weekly": {"monday": [["08:00", "20:00"]]}}}]})json",
               {R"m(f.json:1:80: /queues/0/hours/weekly/monday: unknown weekday "monday" (known: mon, tue, wed, thu, fri, sat, sun))m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "hours": {"weekly": {"mon": [["08:00", "25:00"]]}}}]})json",
               {R"m(f.json:1:88: /queues/0/hours/weekly/mon/0/1: '25:00' is not a time of day (expected "hh:mm" or "hh:mm:ss", 00:00..24:00))m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "hours": {"weekly": {"mon": [["20:00", "08:00"]]}}}]})json",
               {R"m(f.json:1:35: /queues/0: queue 'a': hours: weekly[mon][0]: window 20:00-08:00 closes before it opens)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "hours": {"holidays": ["2026-13-01"]}}]})json",
               {R"m(f.json:1:72: /queues/0/hours/holidays/0: '2026-13-01' is not a date (expected "YYYY-MM-DD"))m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "hours": {"weekly": {"mon": ["08:00"]}}}]})json",
               {R"m(f.json:1:78: /queues/0/hours/weekly/mon/0: expected an ["open", "close"] pair such as ["08:00", "20:00"])m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "sl_definition": "within"}]})json",
               {R"m(f.json:1:66: /queues/0/sl_definition: unknown service level definition 'within' (known: within_offered, within_answered, within_answered_abandoned, within_offered_less_short))m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "guards": {"occupancy_cap": 0}}]})json",
               {R"m(f.json:1:35: /queues/0: queue 'a': guards.occupancy_cap must be in (0, 1], got 0)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "guards": {"exploration": 1}}]})json",
               {R"m(f.json:1:35: /queues/0: queue 'a': guards.exploration must be in [0, 1), got 1)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "strategies": [{"name": "longest_idle"}]})json",
               {R"m(f.json:1:66: /strategies/0: "longest_idle" is a built-in strategy)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "strategies": [{"name": "x", "idle": -1}]})json",
               {R"m(f.json:1:88: /strategies/0/idle: must be in 0..1000000, got -1)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "agent_profiles": [{"name": "p", "skills": {"policy": 0}}]})json",
               {R"m(f.json:1:105: /agent_profiles/0/skills/policy: must be in 1..10, got 0)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "agent_profiles": [{"name": "p", "capacity": {"phone": 1}}]})json",
               {R"m(f.json:1:106: /agent_profiles/0/capacity/phone: unknown channel "phone")m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "agent_profiles": [{"name": "p", "weight": 0}]})json",
               {R"m(f.json:1:94: /agent_profiles/0/weight: must be > 0, got 0)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "agent_profiles": [{"name": "p"}, {"name": "p"}]})json",
               {R"m(f.json:1:94: /agent_profiles/1/name: agent profile "p" is declared twice)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "attributes": {"customer.tier": "text"}})json",
               {R"m(f.json:1:83: /attributes/customer.tier: unknown type "text" (known: string, number, bool, string list))m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "attributes": {"time.hour": "number"}})json",
               {R"m(f.json:1:79: /attributes/time.hour: "time.hour" is a built-in attribute)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "attributes": {"customer tier": "string"}})json",
               {R"m(f.json:1:83: /attributes/customer tier: attribute name 'customer tier' is not a dotted name of letters, digits and '_' (or is a keyword))m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [{"name": "r", "if": "customer.teir == 'gold'", "queue": "a"}], "default": {"queue": "a"}}], "attributes": {"customer.tier": "string"}})json",
               {R"m(f.json:1:105: /flows/0/rules/0/if: unknown attribute 'customer.teir' at 1:1 (byte 0); did you mean 'customer.tier'?)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [{"name": "r", "if": "time.hour >= '8'", "queue": "a"}], "default": {"queue": "a"}}]})json",
               {R"m(f.json:1:105: /flows/0/rules/0/if: '>=' needs two numbers at 1:11 (byte 10), found time.hour (a number) and a string)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [{"name": "r", "if": "(time.hour > 8", "queue": "a"}], "default": {"queue": "a"}}]})json",
               {R"m(f.json:1:105: /flows/0/rules/0/if: expected ')' at 1:15 (byte 14), found end of input)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [{"name": "r", "if": "time.hour > 8", "queue": "nowhere"}], "default": {"queue": "a"}}]})json",
               {R"m(f.json:1:131: /flows/0/rules/0/queue: unknown queue "nowhere")m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [{"name": "r", "queue": "a"}], "default": {"queue": "a"}}]})json",
               {R"m(f.json:1:85: /flows/0/rules/0: missing "if": the rule's filter expression)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": []}]})json",
               {R"m(f.json:1:61: /flows/0: missing "default": the target of a contact no rule matches)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [], "default": {}}]})json",
               {R"m(f.json:1:99: /flows/0/default: missing "queue")m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [{"name": "r", "if": "true", "queue": "a"}, {"name": "r", "if": "true", "queue": "a"}], "default": {"queue": "a"}}]})json",
               {R"m(f.json:1:137: /flows/0/rules/1/name: rule "r" is declared twice in flow "f")m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [], "default": {"queue": "a", "priority": -1}}]})json",
               {R"m(f.json:1:126: /flows/0/default/priority: must be in 0..9, got -1)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [], "default": {"queue": "a", "preferred_agents": [1, 1]}}]})json",
               {R"m(f.json:1:138: /flows/0/default/preferred_agents/1: agent 1 is listed twice)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}, {"name": "b"}], "flows": [{"name": "f", "rules": [], "default": {"queue": "a", "fallbacks": [{"after_s": 0, "queue": "b"}]}}]})json",
               {R"m(f.json:1:155: /flows/0/default/fallbacks/0/after_s: must be > 0 seconds, got 0)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}, {"name": "b"}], "flows": [{"name": "f", "rules": [], "default": {"queue": "a", "fallbacks": [{"queue": "b"}]}}]})json",
               {R"m(f.json:1:143: /flows/0/default/fallbacks/0: missing "after_s": how long the contact waits in the target before)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}, {"name": "b"}], "flows": [{"name": "f", "rules": [], "default": {"queue": "a", "fallbacks": [{"after_s": 5, "queue": "c"}]}}]})json",
               {R"m(f.json:1:167: /flows/0/default/fallbacks/0/queue: unknown queue "c"; did you mean "a"?)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}, {"name": "b"}], "flows": [{"name": "f", "rules": [], "default": {"queue": "a", "fallbacks": [{"after_s": 5, "queue": "b", "priority": 12}]}}]})json",
               {R"m(f.json:1:184: /flows/0/default/fallbacks/0/priority: must be in 0..9, got 12)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}, {"name": "b"}], "flows": [{"name": "f", "rules": [], "default": {"queue": "a", "fallbacks": [{"after_s": 5, "queue": "b"},{"after_s": 5, "queue": "b"},{"after_s": 5, "queue": "b"},{"after_s": 5, "queue": "b"},{"after_s": 5, "queue": "b"},{"after_s": 5, "queue": "b"},{"after_s": 5, "queue": "b"},{"after_s": 5, "queue": "b"},{"after_s": 5, "queue": "b"}]}}]})json",
               {R"m(f.json:1:142: /flows/0/default/fallbacks: at most 8 fallback targets, got 9)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}, {"name": "b"}], "flows": [{"name": "f", "rules": [], "default": {"queue": "a", "fallbacks": [{"after_s": 1e-9, "queue": "b"}]}}]})json",
               {R"m(f.json:1:155: /flows/0/default/fallbacks/0/after_s: must be at least 0.000001 seconds (1 microsecond), got 1e-09)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "flows": [{"name": "f", "rules": [], "default": {"queue": "a"}}, {"name": "f", "rules": [], "default": {"queue": "a"}}]})json",
               {R"m(f.json:1:125: /flows/1/name: flow "f" is declared twice)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "calendar": {"utc_offset_s": 90000}})json",
               {R"m(f.json:1:80: /calendar/utc_offset_s: must be in -50400..50400, got 90000)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "format": 2})json",
               {R"m(f.json:1:61: /format: unsupported format (this version reads format 1, the only one))m"}},
              {R"json({"skills": "policy", "queues": {"name": "a"}})json",
               {R"m(f.json:1:12: /skills: expected an array, got a string)m",
                R"m(f.json:1:32: /queues: expected an array, got an object)m"}},
              {R"json([])json", {R"m(f.json:1:1: /: expected an object, got an array)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "skills": {"policy": 5}, "sl_target": 2, "priority": 12, "max_size": -1, "colour": "red"}]})json",
               {R"m(f.json:1:87: /queues/0/sl_target: must be in 0..1, got 2)m",
                R"m(f.json:1:102: /queues/0/priority: must be in 0..9, got 12)m",
                R"m(f.json:1:118: /queues/0/max_size: must be in 0..4294967296, got -1)m",
                R"m(f.json:1:132: /queues/0/colour: unknown key "colour")m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a",}]})json",
               {R"m(f.json: expected a key after ',' at 1:48 (byte 47) (no trailing commas in JSON))m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a\u0000b"}], "flows": [{"name": "f", "rules": [{"name": "r", "if": "contact.channel == 'voice'", "queue": "a", "skills": {"policy": 5, "law": 3}}], "default": {"queue": "a", "prefer_last_agent": "yes"}}]})json",
               {R"m(f.json:1:44: /queues/0/name: a name may not hold control characters (byte 0x00))m",
                R"m(f.json:1:151: /flows/0/rules/0/queue: unknown queue "a")m",
                R"m(f.json:1:187: /flows/0/rules/0/skills/law: unknown skill "law")m",
                R"m(f.json:1:214: /flows/0/default/queue: unknown queue "a")m",
                R"m(f.json:1:240: /flows/0/default/prefer_last_agent: expected a bool, got a string)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "hours": {"special": {"2026-02-30": []}}}]})json",
               {R"m(f.json:1:85: /queues/0/hours/special/2026-02-30: '2026-02-30' is not a date (expected "YYYY-MM-DD"))m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a", "hours": {"weekly": {"mon": [["08:00", "12:00"], ["11:00", "14:00"]]}}}]})json",
               {R"m(f.json:1:35: /queues/0: queue 'a': hours: weekly[mon][1]: window 11:00-14:00 overlaps 08:00-12:00)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "ticket_categories": [{"name": "noise", "department": "城管", "queue": "aa"}]})json",
               {R"m(f.json:1:120: /ticket_categories/0/queue: unknown queue "aa"; did you mean "a"?)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "ticket_categories": [{"name": "noise", "queue": "a"}, {"name": "noise", "department": "城管", "queue": "a"}]})json",
               {R"m(f.json:1:73: /ticket_categories/0/department: missing "department")m",
                R"m(f.json:1:115: /ticket_categories/1/name: ticket category "noise" is declared twice)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "ticket_categories": [{"name": "noise", "department": "城管", "queue": "a", "resolution": 3600, "warn_share": 0, "priority": 10}]})json",
               {R"m(f.json:1:139: /ticket_categories/0/resolution: unknown key "resolution"; did you mean "resolution_s"?)m",
                R"m(f.json:1:159: /ticket_categories/0/warn_share: must be > 0 (1: no warning), got 0)m",
                R"m(f.json:1:174: /ticket_categories/0/priority: must be in 0..9, got 10)m"}},
              {R"json({"skills": ["policy"], "queues": [{"name": "a"}], "ticket_categories": [{"name": "noise", "department": "城管", "hours": {"weekly": {"mon": [["08:00", "12:00"], ["11:00", "14:00"]]}}}]})json",
               {R"m(f.json:1:73: /ticket_categories/0/queue: missing "queue": where the category's tickets wait)m",
                R"m(f.json:1:120: /ticket_categories/0/hours: weekly[mon][1]: window 11:00-14:00 overlaps 08:00-12:00)m"}},
              {R"json({"queues": [{"name": "a"}, {"name": "b"}], "access": {"departmnts": []}})json",
               {R"m(f.json:1:69: /access/departmnts: unknown key "departmnts"; did you mean "departments"?)m"}},
              {R"json({"queues": [{"name": "a"}, {"name": "b"}], "access": {"departments": [{"name": "x", "queues": ["a", "bb"]}, {"name": "y", "queues": ["a"]}, {"name": "x"}]}})json",
               {R"m(f.json:1:101: /access/departments/0/queues/1: unknown queue "bb"; did you mean "b"?)m",
                R"m(f.json:1:134: /access/departments/1/queues/0: the queue is in department "x" already: a queue belongs to one department)m",
                R"m(f.json:1:150: /access/departments/2/name: department "x" is declared twice)m"}},
              {R"json({"queues": [{"name": "a"}], "access": {"personal_fields": ["customer.name", "", "customer.name", 3]}})json",
               {R"m(f.json:1:77: /access/personal_fields/1: a name must have 1..128 bytes, got 0)m",
                R"m(f.json:1:81: /access/personal_fields/2: field "customer.name" is listed twice)m",
                R"m(f.json:1:98: /access/personal_fields/3: expected a string, got a number)m"}},
              {R"json({"queues": [{"name": "a"}], "retention": {"tickets_day": 30}})json",
               {R"m(f.json:1:58: /retention/tickets_day: unknown key "tickets_day"; did you mean "tickets_days"?)m"}},
              {R"json({"queues": [{"name": "a"}], "retention": {"audit_days": -1, "reports_days": "x", "customer_history_days": 0}})json",
               {R"m(f.json:1:57: /retention/audit_days: must be in 0..36525, got -1)m",
                R"m(f.json:1:77: /retention/reports_days: expected a number, got a string)m",
                R"m(f.json:1:107: /retention/customer_history_days: must be > 0 days, got 0)m"}},
              {R"json({"queues": [{"name": "a"}], "retention": {"tickets_days": 3000, "audit_days": 2000}})json",
               {R"m(f.json:1:79: /retention/audit_days: retention of audit: 2000 days is shorter than that of tickets (3000 days); the audit trail must outlive what it describes)m"}},
              {R"json({"queues": [{"name": "a"}], "retention": {"audit_days": 90.5}})json",
               {R"m(f.json:1:57: /retention/audit_days: retention of audit: 90.5 days is shorter than the six months (180 days) network logs must be kept)m"}},
              {R"json({"queues": [{"name": "a"}], "retention": {"tickets_days": 3000}})json",
               {R"m(f.json:1:42: /retention: retention of audit: 2190 days is shorter than that of tickets (3000 days); the audit trail must outlive what it describes)m"}},
              {R"json({"queues": [{"name": "a"}], "access": {"roles": [{"name": "qa", "grants": {"audit.reed": "tenant", "pii.unmask": "team", "agent.state": 1}}, {"name": "qa", "grants": {}}, {"name": "lead"}]}})json",
               {R"m(f.json:1:90: /access/roles/0/grants/audit.reed: unknown permission "audit.reed"; did you mean "audit.read"?)m",
                R"m(f.json:1:114: /access/roles/0/grants/pii.unmask: unknown scope "team" (self, department, tenant or all))m",
                R"m(f.json:1:137: /access/roles/0/grants/agent.state: expected a string, got a number)m",
                R"m(f.json:1:151: /access/roles/1/name: role "qa" is declared twice)m",
                R"m(f.json:1:172: /access/roles/2/grants: missing "grants": {"permission": "scope", …} ({} for none))m"}},
          };
  return *cases;
}

TEST(RoutingErrorsTest, EachBrokenFileReportsExactlyItsErrors) {
  ASSERT_GE(Catalogue().size(), 40u);
  for (const Broken& broken : Catalogue()) {
    std::vector<std::string> errors;
    absl::StatusOr<RoutingConfig> loaded =
        LoadRoutingJson(broken.json, "f.json", &errors);
    ASSERT_FALSE(loaded.ok()) << broken.json;
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument) << broken.json;
    EXPECT_EQ(errors, broken.errors) << broken.json;
    EXPECT_EQ(loaded.status().message(), absl::StrJoin(broken.errors, "\n"));
  }
}

TEST(RoutingErrorsTest, TheFixedFilesLoad) {
  // The smallest file, and each broken file's theme done right.
  for (
      const char* json : {
          R"({"queues": []})",
          R"({"format": 1, "skills": ["policy"], "queues": [{"name": "a", "skills": {"policy": 10}, "priority": 9, "sl_target": 1, "max_wait_s": null, "offer_timeout_s": null, "overflow_to": null, "hours": null}]})",
          R"({"skills": ["policy"], "queues": [{"name": "a", "overflow_to": "b"}, {"name": "b", "overflow_to": "c"}, {"name": "c"}]})",
          R"({"skills": ["policy"], "queues": [{"name": "a", "hours": {"weekly": {"mon": [["08:00", "12:00"], ["12:00", "24:00"]]}, "special": {"2026-02-28": []}}}]})",
          R"({"queues": [{"name": "a", "strategy": "mine"}], "strategies": [{"name": "mine", "idle": 0}]})",
          R"({"queues": [], "retention": {"tickets_days": 3000, "audit_days": 3000, "customer_history_days": 0.5}})",
      }) {
    absl::StatusOr<RoutingConfig> loaded = LoadRoutingJson(json);
    EXPECT_TRUE(loaded.ok()) << json << "\n" << loaded.status();
  }
}

TEST(RoutingErrorsTest, ManyErrorsAreCappedWithACount) {
  std::string json = R"({"queues": [)";
  for (int i = 0; i < 150; ++i) {
    json += (i > 0 ? ", " : "") + std::string(R"({"name": "q)") + std::to_string(i) +
            R"(", "priority": 99})";
  }
  json += "]}";
  std::vector<std::string> errors;
  absl::StatusOr<RoutingConfig> loaded = LoadRoutingJson(json, "f.json", &errors);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(errors.size(), kMaxRoutingErrors);
  EXPECT_THAT(loaded.status().message(), HasSubstr("\nf.json: 50 more errors not shown"));
}

TEST(RoutingErrorsTest, ControlCharactersCannotSplitOrForgeALine) {
  std::vector<std::string> errors;
  ASSERT_FALSE(
      LoadRoutingJson(
          R"({"queues": [{"name": "q", "overflow_to": "x\nf.json:9:9: /fake: forged"}],
                                   "bogus\u0000key": 1})",
          "f.json", &errors)
          .ok());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(
      errors[0],
      R"(f.json:1:42: /queues/0/overflow_to: unknown queue "x\nf.json:9:9: /fake: forged")");
  EXPECT_EQ(errors[1], R"(f.json:2:54: /bogus\u0000key: unknown key "bogus\u0000key")");
}

TEST(RoutingErrorsTest, AgentProfilesPassTheEnginesAgentChecks) {
  std::vector<std::string> errors;
  ASSERT_FALSE(LoadRoutingJson(R"({"queues": [{"name": "q"}], "agent_profiles": [
      {"name": "a", "capacity": {"load_budget": 0}},
      {"name": "b", "capacity": {"load_per_contact": {"voice": 500}}},
      {"name": "c", "capacity": {"load_budget": 10, "max_per_channel": {"chat": 2}}}]})",
                               "f.json", &errors)
                   .ok());
  EXPECT_EQ(errors,
            (std::vector<std::string>{
                "f.json:2:7: /agent_profiles/0: load_budget must be > 0",
                "f.json:3:7: /agent_profiles/1: a voice contact costs 500 load "
                "units, more than the budget 100",
                "f.json:4:7: /agent_profiles/2: a chat contact costs 33 load units, "
                "more than the budget 10"}));
}

TEST(RoutingErrorsTest, TheFirstErrorsInTheTextAreShownWhateverTheSectionOrder) {
  // The skills section is read before the queues, though written after them.
  std::string json = R"({"queues": [{"name": "q", "priority": 99}], "skills": [)";
  for (int i = 0; i < 150; ++i) json += (i > 0 ? ", 1" : "1");
  json += "]}";
  std::vector<std::string> errors;
  absl::StatusOr<RoutingConfig> loaded = LoadRoutingJson(json, "f.json", &errors);
  ASSERT_EQ(errors.size(), kMaxRoutingErrors);
  EXPECT_EQ(errors[0], "f.json:1:39: /queues/0/priority: must be in 0..9, got 99");
  EXPECT_EQ(errors[1], "f.json:1:56: /skills/0: expected a string, got a number");
  EXPECT_EQ(errors[99], "f.json:1:350: /skills/98: expected a string, got a number");
  EXPECT_THAT(loaded.status().message(), HasSubstr("\nf.json: 51 more errors not shown"));
}

TEST(RoutingErrorsTest, ListsHaveLimits) {
  std::string strategies, skills, steps;
  for (int i = 0; i < 257; ++i)
    strategies += (i ? ", " : "") + absl::StrCat(R"({"name": "s)", i, R"("})");
  for (int i = 0; i < 65; ++i)
    skills += (i ? ", " : "") + absl::StrCat(R"("k)", i, R"(": 5)");
  for (int i = 0; i < 33; ++i)
    steps += (i ? ", " : "") + absl::StrCat(R"({"after_s": )", i + 1, "}");
  std::vector<std::string> errors;
  ASSERT_FALSE(
      LoadRoutingJson(absl::StrCat(R"({"strategies": [)", strategies,
                                   R"(], "queues": [{"name": "q", "skills": {)", skills,
                                   R"(}, "relaxation": [)", steps, "]}]}"),
                      "f.json", &errors)
          .ok());
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_THAT(errors[0], HasSubstr("/strategies: at most 256 strategies, got 257"));
  EXPECT_THAT(errors[1], HasSubstr("/queues/0/skills: at most 64 skills, got 65"));
  EXPECT_THAT(errors[2],
              HasSubstr("/queues/0/relaxation: at most 32 relaxation steps, got 33"));
}

// Inputs that once took seconds to minutes (suggestions over long or many
// names, one expression compiled per rule with a suggestion per unknown
// name). Each must load — and fail — at the cost of reading it; ctest's
// timeout is the guard, the errors are checked here.
TEST(RoutingErrorsTest, LongAndManyNamesStayCheap) {
  {
    const std::string json = absl::StrCat(
        R"({"queues": [{"name": ")", std::string(60000, 'a'),
        R"("}, {"name": "q", "overflow_to": ")", std::string(60000, 'b'), R"("}]})");
    std::vector<std::string> errors;
    ASSERT_FALSE(LoadRoutingJson(json, "f.json", &errors).ok());
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0],
              "f.json:1:22: /queues/0/name: a name must have 1..128 bytes, got 60000");
    EXPECT_LT(errors[1].size(), 1100u);  // the name is cut in the message
  }
  {
    std::string attributes, condition, rules;
    for (int i = 0; i < 4000; ++i) {
      attributes += absl::StrCat(i ? ", " : "", "\"a", std::string(110, 'x'), ".k", i,
                                 "\": \"string\"");
    }
    for (int i = 0; i < 16; ++i) {
      condition +=
          absl::StrCat(i ? " OR " : "", "b", std::string(110, 'y'), ".u", i, " == 'v'");
    }
    for (int r = 0; r < 300; ++r) {
      rules += absl::StrCat(r ? ", " : "", R"({"name": "r)", r, R"(", "if": ")",
                            condition, R"(", "queue": "q"})");
    }
    std::vector<std::string> errors;
    absl::StatusOr<RoutingConfig> loaded = LoadRoutingJson(
        absl::StrCat(
            R"({"queues": [{"name": "q"}], "attributes": {)", attributes,
            R"(}, "flows": [{"name": "f", "default": {"queue": "q"}, "rules": [)", rules,
            "]}]}"),
        "f.json", &errors);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(errors.size(), kMaxRoutingErrors);
    EXPECT_THAT(loaded.status().message(), HasSubstr("4700 more errors not shown"));
  }
}

}  // namespace
}  // namespace ccengine::config
