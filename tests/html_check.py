"""html_check.py - the report as a browser shows it, against prm's JSON.

    html_check.py DOM.html METRICS.json REPORT.json CHROMIUM.log HOSTILE

DOM.html is what `chromium --headless --dump-dom` made of the report.
Requires: no script element and nothing fetched (no src or external
href); the browser logged no console message and no failed request;
every headline metric shows the value `prm --json metrics` gives (as
text mode formats it: a rate as a percentage with one decimal, another
ratio with two, n/a for none); every partner row of `prm --json report
partners` is a row of the scorecard with each of its figures; the text
HOSTILE (markup in a partner's name) shows as text.
"""
import html.parser
import json
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Dom(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.cards, self.rows, self.stack = {}, {}, []
        self.cell, self.row, self.card, self.text = None, None, None, []
        self.bad = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.bad.append("a script element")
        for key in ("src", "href"):
            if key in a and not a[key].startswith("#"):
                self.bad.append("%s=%s" % (key, a[key]))
        if tag == "tr" and "data-partner" in a and self.row is None:
            self.row = (a["data-partner"], [])
        if tag == "td":
            self.cell = []
        if tag == "div" and a.get("class") == "card":
            self.card = []
        if tag == "div" and self.card is not None and a.get("class") in ("l", "v"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None and self.row is not None:
            self.row[1].append("".join(self.cell).strip())
            self.cell = None
        if tag == "tr" and self.row is not None:
            self.rows.setdefault(self.row[0], self.row[1])
            self.row = None
        if tag == "div" and self.card is not None and self.cell is not None:
            self.card.append("".join(self.cell).strip())
            self.cell = None
            if len(self.card) == 2:
                self.cards[self.card[0]] = self.card[1]
                self.card = None

    def handle_data(self, data):
        self.text.append(data)
        if self.cell is not None:
            self.cell.append(data)


def ratio(v, percent):
    if v is None:
        return "n/a"
    return "%.1f%%" % (v * 100) if percent else "%.2f" % v


def money(v):
    s = "%.2f" % v
    return s.rstrip("0").rstrip(".") if "." in s else s


def main():
    dom = Dom()
    dom.feed(open(sys.argv[1], encoding="utf-8").read())
    metrics = json.load(open(sys.argv[2]))["metrics"]
    report = json.load(open(sys.argv[3]))["report"]
    log = open(sys.argv[4], encoding="utf-8", errors="replace").read()
    hostile = sys.argv[5]
    if dom.bad:
        fail("the page fetches or runs something: " + ", ".join(dom.bad))
    for line in log.splitlines():
        if "CONSOLE" in line or "net::ERR" in line or "Failed to load" in line:
            fail("the browser logged: " + line)
    want = {
        "relationship degree": ratio(metrics["relationship_degree"], False),
        "project success rate": ratio(metrics["project_success_rate"], True),
        "resource efficiency": ratio(metrics["resource_efficiency"], False),
    }
    for key in ("partners", "projects", "communications", "resources", "outcomes"):
        want[key] = str(metrics[key])
    for label, value in want.items():
        if dom.cards.get(label) != value:
            fail("metric %s shows %r, JSON %r" % (label, dom.cards.get(label), value))
    for r in report:
        cells = dom.rows.get(str(r["partner"]))
        if cells is None:
            fail("partner %d is not in the scorecard" % r["partner"])
        expect = [str(r["partner"]), r["name"], str(r["projects"]), str(r["succeeded"]),
                  str(r["failed"]), ratio(r["project_success_rate"], True),
                  str(r["communications"]), (r["last_contact"] or "-")[:10],
                  str(r["resources"]), str(r["outcomes"]),
                  ratio(r["resource_efficiency"], False), str(r["deals"]),
                  str(r["deals_won"]), money(r["won_value"]), str(r["health"])]
        if cells != expect:
            fail("partner %d shows %s, JSON %s" % (r["partner"], cells, expect))
    if len(dom.rows) < len(report):
        fail("%d scorecard rows for %d partners" % (len(dom.rows), len(report)))
    if hostile not in "".join(dom.text):
        fail("the hostile name does not show as text")
    print("%d metrics and %d partners as the JSON has them; nothing fetched or run"
          % (len(want), len(report)))


main()
