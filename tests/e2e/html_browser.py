#!/usr/bin/env python3
"""html_browser.py PAGE.html SCREENSHOT.png RESULT.json - open PAGE in headless Chromium
with no network (a dead proxy; every request but the page's own file:// load is counted),
through the DevTools protocol: collect console errors, uncaught exceptions and log errors
while it loads, then measure every plot (<figure class="plot">: its inline <svg>, the
gnuplot data groups and the points of their path/polyline/polygon marks) and every
sortable table, click headers to check the sort, and keep a full-page screenshot.
Writes what it saw to RESULT.json; exits 77 when Chromium or the websocket module is not
there (the caller skips), 1 when the browser cannot be driven."""
import base64, json, os, shutil, subprocess, sys, tempfile, time, urllib.request

SKIP = 77


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    return None


MEASURE = r"""
(() => {
  const pairs = s => (s.match(/-?\d+(?:\.\d+)?[ ,]-?\d+(?:\.\d+)?/g) || []).length;
  const figs = [...document.querySelectorAll('figure.plot')].map(f => {
    const svg = f.querySelector('svg');
    const groups = svg ? [...svg.querySelectorAll('g[id^="gnuplot_plot_"]')] : [];
    const g = groups.map(gr => {
      let marks = 0, points = 0, best = 0;
      gr.querySelectorAll('path,polyline,polygon').forEach(e => {
        const n = pairs(e.getAttribute('d') || e.getAttribute('points') || '');
        marks++; points += n; best = Math.max(best, n);
      });
      return {marks, points, best};
    });
    const bb = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {id: f.id, svg: !!svg, width: bb.width, height: bb.height, groups: g,
            caption: (f.querySelector('figcaption') || {}).textContent || ''};
  });
  const tables = [...document.querySelectorAll('table.sortable')].map(t => ({
    id: t.id, rows: t.tBodies[0].rows.length,
    head: [...t.tHead.rows[0].cells].map(c => c.textContent),
    first: t.tBodies[0].rows.length ? [...t.tBodies[0].rows[0].cells].map(c => c.textContent) : []}));
  return JSON.stringify({title: document.title, sortfn: typeof mmsimSortTable, figs, tables,
                         notes: [...document.querySelectorAll('p.note')].map(p => p.textContent)});
})()
"""

# Click column headers of every sortable table: the rows must come out ordered by that
# column (numbers by data-v), ascending then descending, none lost.
SORT = r"""
(() => {
  const key = td => { const v = td.getAttribute('data-v');
    return (v !== null && v !== '' && !isNaN(+v)) ? +v : td.textContent; };
  const cmp = (a, b) => (typeof a === 'number' && typeof b === 'number') ? a - b :
    typeof a === 'number' ? -1 : typeof b === 'number' ? 1 : String(a).localeCompare(String(b));
  const out = [];
  document.querySelectorAll('table.sortable').forEach(t => {
    const ths = t.tHead.rows[0].cells, n = t.tBodies[0].rows.length;
    for (let i = 0; i < ths.length; i++) {
      for (const dir of ['asc', 'desc']) {
        ths[i].click();
        const rows = [...t.tBodies[0].rows];
        let ok = rows.length === n && ths[i].getAttribute('data-dir') === dir;
        for (let r = 1; r < rows.length && ok; r++) {
          const c = cmp(key(rows[r - 1].cells[i]), key(rows[r].cells[i]));
          ok = dir === 'asc' ? c <= 0 : c >= 0;
        }
        out.push({table: t.id, col: ths[i].textContent, dir, ok});
      }
    }
  });
  return JSON.stringify(out);
})()
"""


class Page:
    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method, params=None, timeout=60):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params or {}}))
        end = time.time() + timeout
        while time.time() < end:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise RuntimeError("%s: no answer in %d s" % (method, timeout))

    def wait_event(self, name, timeout=60):
        for e in self.events:
            if e["method"] == name:
                return e
        end = time.time() + timeout
        while time.time() < end:
            msg = json.loads(self.ws.recv())
            if "method" in msg:
                self.events.append(msg)
                if msg["method"] == name:
                    return msg
        raise RuntimeError("no %s in %d s" % (name, timeout))

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                          "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError("evaluate: %s" % r["exceptionDetails"])
        return r["result"]["value"]


def main():
    page, shot, result = sys.argv[1:4]
    chromium = find_chromium()
    if not chromium:
        print("SKIP: no chromium on PATH (tests/setup.sh installs Debian's chromium)")
        return SKIP
    try:
        import websocket  # python3-websocket
    except ImportError:
        # Debian's module, when python3 on PATH is another interpreter (pyenv)
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import websocket
        except ImportError:
            websocket = None
    if websocket is None:
        print("SKIP: no python3 websocket module (tests/setup.sh installs python3-websocket)")
        return SKIP
    prof = tempfile.mkdtemp(prefix="mmsim-chromium.")
    proc = subprocess.Popen(
        [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
         "--no-default-browser-check", "--disable-extensions", "--disable-sync",
         "--disable-background-networking", "--disable-component-update",
         "--hide-scrollbars", "--mute-audio", "--user-data-dir=" + prof,
         "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
         "--remote-allow-origins=*", "--window-size=1200,900", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        port_file = os.path.join(prof, "DevToolsActivePort")
        end = time.time() + 60
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace")[-2000:]
                print("chromium exited %d before its DevTools port opened:\n%s" %
                      (proc.returncode, err))
                return 1
            if time.time() > end:
                print("chromium opened no DevTools port in 60 s")
                return 1
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port))
        target = [t for t in targets if t.get("type") == "page"][0]
        ws = websocket.create_connection(target["webSocketDebuggerUrl"], timeout=60)
        p = Page(ws)
        for dom in ("Page", "Runtime", "Log", "Network"):
            p.call(dom + ".enable")
        url = "file://" + os.path.abspath(page)
        p.call("Page.navigate", {"url": url})
        p.wait_event("Page.loadEventFired")
        measured = json.loads(p.evaluate(MEASURE))
        # full page screenshot
        m = p.call("Page.getLayoutMetrics")
        size = m.get("cssContentSize") or m["contentSize"]
        h = min(int(size["height"]) + 1, 20000)
        p.call("Emulation.setDeviceMetricsOverride", {"width": 1200, "height": h,
                                                      "deviceScaleFactor": 1, "mobile": False})
        img = p.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(shot, "wb") as f:
            f.write(base64.b64decode(img["data"]))
        sorted_ = json.loads(p.evaluate(SORT))
        # late events (nothing should come, but collect what did)
        ws.settimeout(0.5)
        try:
            while True:
                msg = json.loads(ws.recv())
                if "method" in msg:
                    p.events.append(msg)
        except Exception:
            pass
        errors, requests = [], []
        for e in p.events:
            m, prm = e["method"], e.get("params", {})
            if m == "Runtime.exceptionThrown":
                errors.append("exception: %s" % prm["exceptionDetails"].get("text"))
            elif m == "Runtime.consoleAPICalled" and prm.get("type") in ("error", "assert"):
                errors.append("console.%s: %s" % (prm["type"], [a.get("value") for a in
                                                                  prm.get("args", [])]))
            elif m == "Log.entryAdded" and prm["entry"].get("level") == "error":
                errors.append("log: %s %s" % (prm["entry"].get("text"),
                                              prm["entry"].get("url", "")))
            elif m == "Network.requestWillBeSent":
                requests.append(prm["request"]["url"])
        measured.update({"errors": errors, "requests": requests, "sort": sorted_,
                         "page_url": url, "screenshot_height": h})
        with open(result, "w") as f:
            json.dump(measured, f, indent=1)
        ws.close()
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(prof, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
