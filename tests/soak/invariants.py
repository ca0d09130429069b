"""The chaos soak's invariant checker: run against the server once the faults have stopped and
the work has settled. Each check returns (name, passed, figures, problems)."""
import json
import os
import subprocess
import time

from workload import TRANSITIONAL_STATES, request


def get_all(target, path, key="items"):
    """Every item of a paged list (nextToken), or None when a page could not be read."""
    items, token = [], None
    for _ in range(1000):
        sep = "&" if "?" in path else "?"
        page_path = path + (f"{sep}limit=100" + (f"&nextToken={token}" if token else ""))
        reply = request(target, "GET", page_path, timeout=30)
        if not reply.ok:
            return None
        items.extend(reply.body.get(key, []))
        token = reply.body.get("nextToken")
        if not token:
            return items
    return None


def check_writes(target, model):
    problems = []
    for tid, t in model.tenants.items():
        reply = request(target, "GET", f"/v1.0/tenants/{tid}", timeout=30)
        if reply.status != 200:
            problems.append(f"acknowledged tenant {tid} answers {reply.status}")
            continue
        if reply.body.get("organizationName") != t["name"]:
            problems.append(f"tenant {tid} name {reply.body.get('organizationName')!r} != {t['name']!r}")
        if t["email_certain"] and reply.body.get("contactEmail") != t["email"]:
            problems.append(f"tenant {tid} contactEmail {reply.body.get('contactEmail')!r} != "
                            f"acknowledged {t['email']!r}")
    for iid in model.instances:
        reply = request(target, "GET", f"/v1.0/instances/{iid}", timeout=30)
        if reply.status != 200:
            problems.append(f"acknowledged instance {iid} answers {reply.status}")
    for inv in model.invitations:
        reply = request(target, "GET", f"/v1.0/invitations/{inv}", timeout=30)
        if reply.status != 200:
            problems.append(f"acknowledged invitation {inv} answers {reply.status}")
    figures = {"tenants": len(model.tenants), "instances": len(model.instances),
               "invitations": len(model.invitations)}
    return "no acknowledged write lost", not problems, figures, problems


def check_idempotency(target, model):
    problems = []
    tenants = get_all(target, "/v1.0/tenants")
    if tenants is None:
        return "no effect applied twice", False, {}, ["cannot list tenants"]
    by_name = {}
    for t in tenants:
        by_name[t["organizationName"]] = by_name.get(t["organizationName"], 0) + 1
    retried = 0
    for key, name, ids, attempts, refused in model.idempotent_creates:
        if attempts > 1 or len(ids) > 1:
            retried += 1
        if len(set(ids)) > 1:
            problems.append(f"Idempotency-Key {key} answered different tenants {sorted(set(ids))}")
        count = by_name.get(name, 0)
        if count > 1:
            problems.append(f"{count} tenants named {name!r} from one Idempotency-Key")
        if ids and count != 1:
            problems.append(f"acknowledged create {name!r} left {count} tenants")
        if refused and count:
            # The first run's effect exists, yet the key's retry was refused: its answer was lost
            # and the retry ran the create again (docs/decisions/0033-idempotent-effects.md).
            problems.append(f"Idempotency-Key {key}: {name!r} exists, the retry answered {refused}")
    unresolved = sum(1 for _, _, ids, _, refused in model.idempotent_creates
                     if not ids and not refused)
    figures = {"creates": len(model.idempotent_creates), "retried_or_repeated": retried,
               "unanswered_at_stop": unresolved,
               "tenants_listed": len(tenants)}
    return "no effect applied twice (Idempotency-Key)", not problems, figures, problems


def check_counts(target, model):
    problems = []
    checked = 0
    for tid in model.tenants:
        tenant = request(target, "GET", f"/v1.0/tenants/{tid}", timeout=30)
        members = get_all(target, f"/v1.0/tenants/{tid}/users")
        instances = get_all(target, f"/v1.0/tenants/{tid}/instances")
        if tenant.status != 200 or members is None or instances is None:
            problems.append(f"tenant {tid}: cannot read tenant, members or instances")
            continue
        checked += 1
        if tenant.body.get("memberCount") != len(members):
            problems.append(f"tenant {tid}: memberCount {tenant.body.get('memberCount')} but "
                            f"{len(members)} members listed")
        live = [i for i in instances if i.get("state") != "DEPROVISIONED"]
        if tenant.body.get("instanceCount") not in (len(live), len(instances)):
            problems.append(f"tenant {tid}: instanceCount {tenant.body.get('instanceCount')} but "
                            f"{len(instances)} instances listed")
        listed = {m.get("userId"): m for m in members}
        states = model.members.get(tid, {})
        uncertain_emails = model.uncertain_member_emails.get(tid, set())
        for uid, state in states.items():
            if state == "present" and uid not in listed:
                problems.append(f"tenant {tid}: acknowledged member {uid} missing")
            if state == "removed" and uid in listed:
                problems.append(f"tenant {tid}: acknowledged removal of {uid} undone")
        for uid, m in listed.items():
            if uid in states or m.get("email") in uncertain_emails:
                continue
            if m.get("email", "").startswith("m") and m.get("email", "").endswith("@example.com"):
                problems.append(f"tenant {tid}: member {uid} ({m.get('email')}) nobody added")
    return "memberCount / instanceCount exact", not problems, {"tenants_checked": checked}, problems


def check_operations(target, model, settle_s):
    """No operation stuck: every acknowledged operation ends, every instance leaves its
    transitional state, within `settle_s` of the faults stopping."""
    deadline = time.monotonic() + settle_s
    pending = dict(model.operations)
    states = {}
    while time.monotonic() < deadline:
        for op in list(pending):
            reply = request(target, "GET", f"/v1.0/operations/{op}", timeout=30)
            if reply.ok and reply.body.get("status") in ("COMPLETED", "FAILED"):
                del pending[op]
        for iid in model.instances:
            reply = request(target, "GET", f"/v1.0/instances/{iid}", timeout=30)
            if reply.ok:
                states[iid] = reply.body.get("state")
        stuck_instances = [i for i, s in states.items() if s in TRANSITIONAL_STATES]
        if not pending and not stuck_instances:
            break
        time.sleep(2)
    stuck_instances = {i: s for i, s in states.items() if s in TRANSITIONAL_STATES}
    problems = [f"operation {op} (instance {iid}) still running" for op, iid in pending.items()]
    problems += [f"instance {i} stuck in {s}" for i, s in stuck_instances.items()]
    figures = {"operations": len(model.operations), "instances": len(model.instances)}
    return "no operation stuck running", not problems, figures, problems


def outbox_backlog(bin_path, env, data_dir):
    backlog = 0
    for status in ("PENDING", "FAILED"):
        done = subprocess.run([bin_path, "outbox", "list", "--status", status,
                               "--data-dir", data_dir], env=env, capture_output=True, timeout=60)
        if done.returncode != 0:
            return None
        backlog += len([l for l in done.stdout.decode().splitlines() if l.strip()])
    return backlog


def read_file_sink(path):
    """Event id -> deliveries, the detail.tenantIds seen, and the lines that do not parse."""
    ids, tenants, torn = {}, set(), []
    if not os.path.exists(path):
        return ids, tenants, torn
    with open(path, "rb") as f:
        for n, line in enumerate(f.read().split(b"\n")):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError:
                torn.append(f"line {n + 1}: {line[:120]!r}")
                continue
            event_id = event.get("id") or event.get("eventId")
            ids[event_id] = ids.get(event_id, 0) + 1
            detail = event.get("detail")
            if isinstance(detail, dict) and detail.get("tenantId"):
                tenants.add(detail["tenantId"])
    return ids, tenants, torn


def check_events(bin_path, env, data_dir, webhook, model, settle_s):
    """Every outbox event delivered at least once to every sink (file and webhook), and every
    acknowledged tenant has events in both."""
    deadline = time.monotonic() + settle_s
    backlog = None
    while time.monotonic() < deadline:
        backlog = outbox_backlog(bin_path, env, data_dir)
        if backlog == 0:
            break
        time.sleep(2)
    file_ids, file_tenants, torn = read_file_sink(os.path.join(data_dir, "events.ndjson"))
    hook_ids = webhook.ids()
    problems = []
    if backlog != 0:
        problems.append(f"outbox not drained: {backlog} events PENDING or FAILED")
    problems += [f"file sink holds a torn line: {t}" for t in torn[:10]]
    only_file = set(file_ids) - set(hook_ids)
    only_hook = set(hook_ids) - set(file_ids)
    problems += [f"event {e} reached the file sink but not the webhook" for e in sorted(only_file)[:10]]
    problems += [f"event {e} reached the webhook but not the file sink" for e in sorted(only_hook)[:10]]
    hook_tenants = webhook.tenant_ids()
    for tid in model.tenants:
        if tid not in file_tenants or tid not in hook_tenants:
            problems.append(f"acknowledged tenant {tid} has no event in the "
                            + ("file sink" if tid not in file_tenants else "webhook"))
    figures = {"events": len(set(file_ids) | set(hook_ids)),
               "file_deliveries": sum(file_ids.values()),
               "webhook_deliveries": sum(hook_ids.values()),
               "redelivered": sum(1 for c in list(file_ids.values()) + list(hook_ids.values()) if c > 1),
               "webhook_refusals": webhook.refused}
    return "every outbox event delivered to every sink", not problems, figures, problems
