#!/usr/bin/python3
"""money_check.py - prm's money against Python's decimal, cent for cent.

A fund of 1,000,000.01; 10,000 requests of seeded random amounts, most
approved for a random part of what they asked (refused when the fund has
not that much left), some cancelled; claims against approved requests,
some approved and paid, some too large.  Python's decimal module keeps
the same books.  Every command's answer (ok or which error) must be the
one the model expects, and at the end the fund's approved, claimed, paid
and available, and every request's approved amount, must be the model's
to the cent.

    money_check.py PRM [--seed N] [--requests N] [DB]
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from decimal import Decimal

CENT = Decimal("0.01")


def money(rng, low, high):
    """A random amount in cents between low and high (Decimals)."""
    cents = rng.randint(int(low / CENT), int(high / CENT))
    return Decimal(cents) * CENT


def text(d):
    """An amount as typed: plain decimal, no exponent."""
    return format(d.quantize(CENT), "f")


class Model:
    """The books, kept as running totals."""

    def __init__(self, amount):
        self.amount = amount
        # id -> dict(asked, approved, status, claimed, paid)
        self.requests = {}
        self.claims = {}  # id -> dict(request, amount, status)
        self.total_approved = Decimal(0)
        self.total_claimed = Decimal(0)
        self.total_paid = Decimal(0)

    def approve(self, rid, amount):
        self.requests[rid].update(approved=amount, status="approved")
        self.total_approved += amount

    def cancel(self, rid):
        self.requests[rid]["status"] = "cancelled"
        self.total_approved -= self.requests[rid]["approved"]

    def claim(self, cid, rid, amount):
        self.claims[cid] = dict(request=rid, amount=amount,
                                status="submitted")
        self.requests[rid]["claimed"] += amount
        self.total_claimed += amount

    def reject_claim(self, cid):
        c = self.claims[cid]
        c["status"] = "rejected"
        self.requests[c["request"]]["claimed"] -= c["amount"]
        self.total_claimed -= c["amount"]

    def pay(self, cid):
        c = self.claims[cid]
        r = self.requests[c["request"]]
        c["status"] = "paid"
        r["paid"] += c["amount"]
        self.total_paid += c["amount"]
        if r["paid"] >= r["approved"]:
            r["status"] = "completed"


def script(rng, nrequests):
    """The commands, and for each the answer the model expects."""
    m = Model(Decimal("1000000.01"))
    cmds = [("partner add name=Acme", "ok"),
            ("fund add name=MDF amount=1000000.01", "ok")]
    nclaims = 0
    for rid in range(1, nrequests + 1):
        asked = money(rng, CENT, Decimal(400))
        cmds.append(("request add fund=MDF partner=Acme activity=a%d "
                     "amount=%s" % (rid, text(asked)), "ok"))
        m.requests[rid] = dict(asked=asked, approved=Decimal(0),
                               status="submitted", claimed=Decimal(0),
                               paid=Decimal(0))
        roll = rng.random()
        if roll < 0.8:
            amount = money(rng, CENT, asked) if rng.random() < 0.7 else asked
            if rng.random() < 0.05:  # more than asked: refused as invalid
                cmds.append(("request approve %d amount=%s"
                             % (rid, text(asked + CENT)), "invalid_value"))
            ok = amount <= m.amount - m.total_approved
            if ok:
                m.approve(rid, amount)
            cmds.append(("request approve %d amount=%s" % (rid, text(amount)),
                         "ok" if ok else "conflict"))
        elif roll < 0.9:
            cmds.append(("request reject %d reason=no" % rid, "ok"))
            m.requests[rid]["status"] = "rejected"
        if m.requests[rid]["status"] == "approved" and rng.random() < 0.3:
            cmds.append(("request cancel %d" % rid, "ok"))
            m.cancel(rid)
        if m.requests[rid]["status"] != "approved" or rng.random() < 0.5:
            continue
        for _ in range(rng.randint(1, 3)):
            r = m.requests[rid]
            amount = money(rng, CENT, r["approved"])
            ok = amount <= r["approved"] - r["claimed"]
            cmds.append(("claim add request=%d amount=%s"
                         % (rid, text(amount)), "ok" if ok else "conflict"))
            if not ok:
                continue
            nclaims += 1
            m.claim(nclaims, rid, amount)
            roll = rng.random()
            if roll < 0.6:
                cmds.append(("claim approve %d" % nclaims, "ok"))
                m.claims[nclaims]["status"] = "approved"
                if rng.random() < 0.7:
                    cmds.append(("claim pay %d" % nclaims, "ok"))
                    m.pay(nclaims)
            elif roll < 0.7:
                cmds.append(("claim reject %d reason=no" % nclaims, "ok"))
                m.reject_claim(nclaims)
    return cmds, m


def answer(line):
    obj = json.loads(line)
    return "ok" if obj.get("ok") else obj["error"]["code"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prm")
    ap.add_argument("db", nargs="?", help="a team database (default: a file)")
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--requests", type=int, default=10000)
    args = ap.parse_intermixed_args()
    rng = random.Random(args.seed)
    cmds, m = script(rng, args.requests)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or os.path.join(tmp, "money.db")
        run = subprocess.run(
            [args.prm, "--db", db, "--json"],
            input="\n".join(c for c, _ in cmds) + "\n",
            capture_output=True, text=True, check=False)
        lines = run.stdout.splitlines()
        fails = 0
        if len(lines) != len(cmds):
            print("%d answers to %d commands" % (len(lines), len(cmds)))
            return 1
        for (cmd, expect), line in zip(cmds, lines):
            got = answer(line)
            if got != expect:
                fails += 1
                if fails <= 5:
                    print("%s: expected %s, got %s" % (cmd, expect, line))
        show = subprocess.run([args.prm, "--db", db, "--json", "fund", "show",
                               "MDF"], capture_output=True, text=True,
                              check=False)
        fund = json.loads(show.stdout, parse_float=Decimal)["fund"]
        want = dict(amount=m.amount, approved=m.total_approved,
                    claimed=m.total_claimed, paid=m.total_paid,
                    available=m.amount - m.total_approved)
        for key, value in want.items():
            if Decimal(fund[key]) != value:
                fails += 1
                print("fund %s: prm says %s, the model %s"
                      % (key, fund[key], value))
        listed = subprocess.run([args.prm, "--db", db, "--json", "request",
                                 "list"], capture_output=True, text=True,
                                check=False)
        for r in json.loads(listed.stdout, parse_float=Decimal)["requests"]:
            mr = m.requests[r["id"]]
            approved = r["approved_amount"]
            if r["status"] != mr["status"] or (
                    mr["status"] in ("approved", "completed") and
                    Decimal(approved) != mr["approved"]):
                fails += 1
                if fails <= 10:
                    print("request %d: prm %s %s, the model %s %s"
                          % (r["id"], r["status"], approved, mr["status"],
                             mr["approved"]))
        print("%d commands, %d requests, %d claims; fund approved %s of %s; "
              "%d differences" % (len(cmds), len(m.requests), len(m.claims),
                                  want["approved"], m.amount, fails))
        return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
