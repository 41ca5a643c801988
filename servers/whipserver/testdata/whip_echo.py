"""An outside WebRTC peer (aiortc) that reaches a lab peer through WHIP.

Usage: whip_echo.py ENDPOINT MESSAGE

It opens a data channel, POSTs its offer to ENDPOINT (RFC 9725), sends
MESSAGE once the channel is open, prints "echo: <what came back>", and
ends the session with DELETE. Exit status 0 on an echo, 1 otherwise.
"""

import asyncio
import sys
import urllib.error
import urllib.parse
import urllib.request

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription


def http(method, url, body=None):
    req = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/sdp")
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status, resp.headers.get("Location"), resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, None, e.read().decode()


async def main(endpoint, message):
    # No ICE servers: aiortc would otherwise ask Google's STUN server.
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    channel = pc.createDataChannel("echo")
    echoed = asyncio.get_running_loop().create_future()

    @channel.on("open")
    def on_open():
        channel.send(message)

    @channel.on("message")
    def on_message(m):
        if not echoed.done():
            echoed.set_result(m)

    await pc.setLocalDescription(await pc.createOffer())  # gathers every candidate
    loop = asyncio.get_running_loop()
    status, location, body = await loop.run_in_executor(
        None, http, "POST", endpoint, pc.localDescription.sdp.encode())
    if status != 201 or not location:
        print(f"POST {endpoint}: {status} {body.strip()}", file=sys.stderr)
        return 1
    print(f"session: {location}")
    await pc.setRemoteDescription(RTCSessionDescription(sdp=body, type="answer"))
    try:
        got = await asyncio.wait_for(echoed, 20)
    except asyncio.TimeoutError:
        print(f"no echo within 20 s (ICE {pc.iceConnectionState})", file=sys.stderr)
        return 1
    print(f"echo: {got}")
    session = urllib.parse.urljoin(endpoint, location)
    status, _, body = await loop.run_in_executor(None, http, "DELETE", session)
    print(f"DELETE: {status}")
    await pc.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
