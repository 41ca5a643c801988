"""Outside clients for the differential test: one function per scenario, run as
clients.py SCENARIO HOST:PORT [HOST:PORT ...]. Each drives one short session
against a lab server and exits non-zero if the session did not go as expected."""
import asyncio
import ftplib
import imaplib
import poplib
import smtplib
import socket
import ssl
import struct
import sys
import time


def hostport(a):
    h, p = a.rsplit(":", 1)
    return h, int(p)


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def ws(addr):
    import websockets  # Debian: python3-websockets

    async def run():
        async with websockets.connect("ws://%s/ws/echo" % addr, compression=None) as c:
            await c.send("hello, websocket")
            await c.recv()
            pong = await c.ping(b"lab")
            await pong
            await c.close(1000, "done")

    asyncio.run(run())


def smtp(addr):
    h, p = hostport(addr)
    c = smtplib.SMTP(h, p, local_hostname="client.test", timeout=10)
    c.ehlo()
    c.mail("bob@beta.test")
    c.rcpt("alice@alpha.test")
    c.data(b"Subject: wire\r\n\r\nHello Alice.\r\n")
    c.quit()


def smtp_relay(addr):
    h, p = hostport(addr)
    c = smtplib.SMTP(h, p, local_hostname="client.test", timeout=10)
    c.ehlo()
    c.login("alice", "alice")
    c.sendmail("alice@alpha.test", ["bob@beta.test"], b"Subject: relayed\r\n\r\nHello Bob.\r\n")
    c.quit()


def lines(f):
    """Reads one SMTP reply (all its lines) from file f."""
    out = []
    while True:
        l = f.readline()
        if not l:
            raise EOFError("connection closed")
        out.append(l)
        if l[3:4] != b"-":
            return out


def smtp_starttls(addr):
    s = socket.create_connection(hostport(addr), timeout=10)
    f = s.makefile("rb")
    lines(f)
    s.sendall(b"EHLO client.test\r\n")
    lines(f)
    s.sendall(b"STARTTLS\r\nRSET\r\n")  # RFC 3207 4.2: the server discards the RSET
    r = lines(f)
    if not r[0].startswith(b"220"):
        raise SystemExit("STARTTLS: %r" % r)
    t = tls_context().wrap_socket(s)
    tf = t.makefile("rb")
    t.sendall(b"EHLO client.test\r\n")
    lines(tf)
    t.sendall(b"QUIT\r\n")
    lines(tf)
    t.close()


def smtp_overlong(addr):
    """A line far past the server's limit: it answers 500 and closes with the
    rest unread, so its kernel resets the connection."""
    s = socket.create_connection(hostport(addr), timeout=10)
    f = s.makefile("rb")
    lines(f)
    s.sendall(b"EHLO client.test\r\n")
    lines(f)
    s.sendall(b"NOOP " + b"x" * 60000 + b"\r\n")
    r = lines(f)
    if not r[0].startswith(b"500"):
        raise SystemExit("overlong line: %r" % r)
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass
    s.close()


def pop3(addr):
    h, p = hostport(addr)
    c = poplib.POP3(h, p, timeout=10)
    c.user("bob@beta.test")
    c.pass_("bob")
    n, _ = c.stat()
    c.list()
    if n:
        c.retr(1)
    c.quit()


def imap(addr):
    h, p = hostport(addr)
    c = imaplib.IMAP4(h, p, timeout=10)
    c.login("bob@beta.test", "bob")
    typ, data = c.select("INBOX")
    if int(data[0] or 0):
        c.fetch("1", "(FLAGS BODY[HEADER.FIELDS (SUBJECT)])")
    c.logout()


def ftp(addr, active=False):
    h, p = hostport(addr)
    c = ftplib.FTP(timeout=10)
    c.connect(h, p)
    c.login("lab", "lab")
    c.set_pasv(not active)
    c.retrlines("LIST", lambda l: None)
    c.retrbinary("RETR hello.txt", lambda b: None)
    c.quit()


def ftp_active(addr):
    ftp(addr, active=True)


def ftps(addr):
    h, p = hostport(addr)
    c = ftplib.FTP_TLS(context=tls_context(), timeout=10)
    c.connect(h, p)
    c.login("lab", "lab")
    c.prot_p()
    c.retrbinary("RETR hello.txt", lambda b: None)
    c.quit()


def reset_client(addr):
    """Sends a line to the TCP echo, reads it back, and closes with SO_LINGER 0."""
    s = socket.create_connection(hostport(addr), timeout=10)
    s.sendall(b"hello\n")
    got = b""
    while len(got) < 6:
        got += s.recv(64)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def http_reset(addr):
    """An HTTP/1.1 request, its response, then SO_LINGER 0."""
    s = socket.create_connection(hostport(addr), timeout=10)
    s.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
    f = s.makefile("rb")
    length = 0
    while True:
        l = f.readline()
        if l.lower().startswith(b"content-length:"):
            length = int(l.split(b":")[1])
        if l in (b"\r\n", b""):
            break
    f.read(length)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


if __name__ == "__main__":
    globals()[sys.argv[1].replace("-", "_")](*sys.argv[2:])
