"""A stand-in for Azure's WireServer, run by tests/boot/test_azure.py inside
the test's own network namespace: it serves a goal state at
/machine/?comp=goalstate and takes health reports at /machine/?comp=health
(Microsoft, "Creating generalized images without a provisioning agent",
learn.microsoft.com/azure/virtual-machines/linux/no-agent), and appends
every request it gets, as one JSON line (method, path, headers, body), to
LOG. It prints "listening" once it listens.

  wireserver_fake.py ADDR PORT LOG CONTAINER_ID INSTANCE_ID INCARNATION [chunked] [STATUS...]

The goal-state requests are answered with the STATUS codes in turn (then
200); every other request with 200. A STATUS may also be `huge` (200 with a
40 KiB body) or `badid` (200 with a ContainerId holding "<&>" escaped). With `chunked` the goal state comes in
chunks (Transfer-Encoding: chunked, RFC 9112 section 7.1), split inside
its elements, instead of with a Content-Length."""

import http.server
import json
import sys

ADDR, PORT, LOG, CONTAINER, INSTANCE, INCARNATION = sys.argv[1:7]
CHUNKED = sys.argv[7:8] == ["chunked"]
STATUSES = sys.argv[7 + CHUNKED:]

# Shaped like the goal state of the article's "Generic steps" (the
# elements the guest reads, inside others it must skip).
GOAL_STATE = f"""<?xml version="1.0" encoding="utf-8"?>
<GoalState xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="goalstate10.xsd">
  <Version>2012-11-30</Version>
  <Incarnation>{INCARNATION}</Incarnation>
  <Machine>
    <ExpectedState>Started</ExpectedState>
    <StopRolesDeadlineHint>300000</StopRolesDeadlineHint>
  </Machine>
  <Container>
    <ContainerId>{CONTAINER}</ContainerId>
    <RoleInstanceList>
      <RoleInstance>
        <InstanceId>{INSTANCE}</InstanceId>
        <State>Started</State>
        <Configuration>
          <HostingEnvironmentConfig>http://{ADDR}:80/machine/x?comp=config&amp;type=hostingEnvironmentConfig</HostingEnvironmentConfig>
        </Configuration>
      </RoleInstance>
    </RoleInstanceList>
  </Container>
</GoalState>
""".encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def record(self, body):
        with open(LOG, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": {k.lower(): v for k, v in self.headers.items()},
                                "body": body.decode("utf-8", "replace")}) + "\n")

    def answer(self, status, body=b""):
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def answer_chunked(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(body), 100):
            piece = body[i:i + 100]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")

    def do_GET(self):
        self.record(b"")
        status = STATUSES.pop(0) if STATUSES else "200"
        if status == "huge":
            self.answer(200, GOAL_STATE + b"<!--" + b"x" * 40960 + b"-->")
        elif status == "badid":
            self.answer(200, GOAL_STATE.replace(CONTAINER.encode(), b"a&lt;&amp;&gt;b"))
        elif status == "200" and CHUNKED:
            self.answer_chunked(GOAL_STATE)
        else:
            self.answer(int(status), GOAL_STATE if status == "200" else b"")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.record(self.rfile.read(length))
        self.answer(200)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer((ADDR, int(PORT)), Handler)
print("listening", flush=True)      # the test boots the guest after this line
server.serve_forever()
