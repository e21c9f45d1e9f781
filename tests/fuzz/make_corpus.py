#!/usr/bin/env python3
"""Regenerates the fuzz targets' seed corpora under tests/fuzz/corpus/<target>/ (docs/fuzzing.md).

Seeds are real inputs, kept small (libFuzzer's -max_len follows the largest seed):
- JSON messages: every example of docs/protocol.md, marked by "<!-- wire:TYPE -->", plus a few
  variants the suites also test (optional members, hardware, gop and codec spellings);
- MPEG-TS segments made by ffmpeg and GStreamer (H.264 + AAC, HEVC, MPEG-2, AC-3);
- fragmented MP4 from GStreamer's mp4mux as lprendition configures it (VP9, VP9 + AAC, AV1
  with mp4mux's empty av1C, H.264);
- AV1 temporal units (libaom through ffmpeg, 8/10-bit, 4:2:0, 4:4:4, monochrome);
- RTMP: a capture of what a real publisher (GStreamer's rtmp2sink) sends after the handshake
  to ffmpeg's RTMP server (or the file given with --rtmp-capture), and chunk streams built here with every header format,
  an extended timestamp, Set Chunk Size and Abort;
- AMF0: connect / releaseStream / publish commands and an onMetaData data message;
- rtmp_session: the same RTMP streams (its first byte is only the read size).

Files named regress_* are inputs that once crashed a target (docs/fuzzing.md, "Findings"): they
are kept as they are. Needs ffmpeg and gst-launch-1.0 with the plugins .ci/install-deps installs. Run from anywhere:
  python3 tests/fuzz/make_corpus.py [--rtmp-capture FILE]
"""

import argparse
import os
import re
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def doc_blocks():
    """(type, text) of every marked block of docs/protocol.md."""
    out = []
    marker = None
    block = None
    with open(os.path.join(ROOT, "docs", "protocol.md"), encoding="utf-8") as f:
        for line in f:
            if block is not None:
                if line.startswith("```"):
                    out.append((block[0], "".join(block[1])))
                    block = None
                else:
                    block[1].append(line)
                continue
            m = re.match(r"<!-- wire:(\w+) -->", line)
            if m:
                marker = m.group(1)
                continue
            if line.startswith("```"):
                if marker:
                    block = (marker, [])
                marker = None
    return out


def json_seeds():
    blocks = doc_blocks()
    channel = {"hello", "welcome", "job", "job_result", "job_failure", "cancel", "ping", "pong", "draining"}
    for kind, text in blocks:
        if kind == "info":
            put("wire_info", "doc_info.json", text)
        elif kind == "result":
            put("wire_result", "doc_result.json", text)
        elif kind == "error":
            put("wire_error_body", "doc_error.json", text)
        elif kind == "auth_token":
            put("auth_token", "doc_token.json", text)
            t = re.search(r'"session_id": "(\w+)", "expiry": (\d+),\s*"hmac": "(\w+)"', text)
            put("auth_token", "doc_token.header", "%s.%s.%s" % t.groups())
        elif kind == "segment_headers":
            lines = [l for l in text.splitlines() if ":" in l and not l.startswith("POST")]
            put("wire_segment_headers", "doc_headers.txt", "\n".join(lines) + "\n")
        elif kind in channel:
            put("wire_transcoder_channel", "doc_%s.json" % kind, text)

    # Variants: what the suites also accept.
    put("wire_info", "minimal.json",
        '{"service_addr":"127.0.0.1:8935","version":"0.1.0","capabilities":{"codecs":["H.264"],"presets":[]},'
        '"price":{"price_per_unit":0,"pixels_per_unit":1},"capacity":{"max":1,"in_use":0},'
        '"auth_token":{"session_id":"s","expiry":1,"hmac":"' + "0" * 64 + '"}}')
    put("wire_result", "two_renditions.json",
        '{"renditions":[{"name":"a","url":"","bytes":1,"frames":1,"pixels":64,"sha256":"' + "a" * 64 + '",'
        '"width":8,"height":8},{"name":"b","bytes":2,"frames":2,"pixels":128,"sha256":"' + "B" * 64 + '"}],'
        '"signature":"0x' + "1" * 130 + '","signer":"0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"}')
    put("wire_error_body", "unknown_code.json", '{"error":{"code":"something_new","message":"x"}}')
    put("wire_error_body", "bare.json", '{"code":"busy","message":"at capacity"}')
    put("wire_transcoder_channel", "pong_hardware.json",
        '{"type":"pong","seq":3,"hardware":[{"kind":"nvidia","index":1,"name":"L4","path":"full","capacity":8,'
        '"sessions":2,"load_percent":40,"error":""},{"kind":"cpu","index":0}]}')
    put("wire_transcoder_channel", "job_gop.json",
        '{"type":"job","job_id":"j","stream_id":"s","seq":0,"source_url":"http://h/s","upload_url":"http://h/u",'
        '"profiles":[{"name":"v","width":320,"height":180,"bitrate":0,"quality":30,"gop":"intra","encoder":"VP9"},'
        '{"width":256,"height":144,"bitrate":1,"fps":30000,"fpsDen":1001,"gop":2.5,"profile":"H264High"}],'
        '"pipeline":"lpsegmentsrc ! lpladder","timeout_ms":1}')
    put("auth_token", "upper_hex.header", "session_1-x.0." + "ABCDEF0123" * 6 + "ABCD")

    # Profiles: the formats parse_profiles takes.
    put("profile", "presets.txt", "P720p30fps16x9,P360p30fps16x9, p240p30fps16x9 ,")
    put("profile", "object.json",
        '{"name":"hd","width":1280,"height":720,"bitrate":4000000,"fps":30000,"fpsDen":1001,"profile":"H264High",'
        '"gop":"2.0","encoder":"H.264","colorDepth":8,"chromaFormat":"4:2:0"}')
    put("profile", "list.json",
        '[{"name":"a","width":1280,"height":720,"bitrate":4000000,"fps":30,"gop":"intra"},'
        '{"width":640,"height":360,"quality":23,"bitrate":0,"encoder":"hevc","chromaFormat":0,"gop":1e1}]')
    put("profile", "launch_quoted.txt", '"{\\"width\\":64,\\"height\\":64,\\"bitrate\\":1,\\"encoder\\":\\"AV1\\"}"')
    put("profile", "single_quoted.txt", "'{\"width\":64,\"height\":64,\"bitrate\":1,\"Encoder\":\"vp9\"}'")

    # The orchestrator's multipart answer: Content-Type line, then the body.
    result = [t for k, t in blocks if k == "result"][0]
    b = "lpgst-boundary-7f3a"
    body = ("--%s\r\nContent-Type: application/json\r\n\r\n%s\r\n"
            "--%s\r\nContent-Type: video/mp2t\r\n\r\n\x47\x40\x00\x10rendition-bytes\r\n--%s--\r\n") % (b, result, b, b)
    put("multipart_answer", "result_and_rendition.txt", 'multipart/mixed; boundary="%s"\n%s' % (b, body))
    put("multipart_answer", "json_only.txt",
        "multipart/mixed; boundary=xyz\n--xyz\r\n\r\n" + result + "\r\n--xyz--\r\n")


def run(cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def media_seeds(tmp):
    src = ["-f", "lavfi", "-i", "testsrc=size=64x48:rate=30"]
    ff = ["ffmpeg", "-v", "error", "-y"]
    ts = {
        "h264_aac_ffmpeg.ts": src + ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "0.1",
                                     "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "16k"],
        "hevc_ffmpeg.ts": src + ["-frames:v", "1", "-pix_fmt", "yuv420p", "-c:v", "libx265", "-preset", "ultrafast",
                                 "-x265-params", "log-level=none"],
        "mpeg2_ffmpeg.ts": src + ["-frames:v", "1", "-c:v", "mpeg2video"],
        "ac3_ffmpeg.ts": ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000", "-t", "0.05",
                          "-c:a", "ac3", "-b:a", "64k"],
    }
    for name, args in ts.items():
        out = os.path.join(tmp, name)
        run(ff + args + [out])
        put("ts_probe", name, read(out))
    vt = "videotestsrc num-buffers=%d ! video/x-raw,format=I420,width=64,height=48,framerate=30/1"
    out = os.path.join(tmp, "gst.ts")
    run(["gst-launch-1.0", "-q"] + (vt % 1 + " ! x264enc ! h264parse ! mpegtsmux ! filesink location=" + out).split())
    put("ts_probe", "h264_gst.ts", read(out))

    # fMP4 as lprendition muxes it (plugins/lp_rendition.cpp: fragment-duration 1000, streamable).
    mux = "mp4mux name=mux fragment-duration=1000 streamable=true ! filesink location="
    mp4 = {
        "vp9.mp4": vt % 3 + " ! vp9enc deadline=1 ! vp9parse ! " + mux,
        "av1.mp4": vt % 3 + " ! av1enc cpu-used=8 usage-profile=realtime ! av1parse ! " + mux,
        "h264.mp4": vt % 3 + " ! x264enc ! h264parse ! " + mux,
        "vp9_aac.mp4": vt % 3 + " ! vp9enc deadline=1 ! vp9parse ! mux. audiotestsrc num-buffers=3 ! avenc_aac ! "
                       "aacparse ! mux. " + mux,
    }
    for name, pipeline in mp4.items():
        out = os.path.join(tmp, name)
        run(["gst-launch-1.0", "-q"] + (pipeline + out).split())
        put("fmp4_split", name, read(out))

    for pix in ["yuv420p", "yuv444p", "yuv420p10le", "gray"]:
        out = os.path.join(tmp, pix + ".obu")
        run(ff + src + ["-frames:v", "1", "-pix_fmt", pix, "-c:v", "libaom-av1", "-cpu-used", "8", "-f", "obu", out])
        put("av1_config", "tu_%s.obu" % pix, read(out))


# ---- AMF0 and RTMP chunks ----------------------------------------------------------------

def amf_num(v):
    return b"\x00" + struct.pack(">d", v)


def amf_str(s):
    s = s.encode()
    return b"\x02" + struct.pack(">H", len(s)) + s


def amf_props(props):
    out = b""
    for k, v in props:
        k = k.encode()
        out += struct.pack(">H", len(k)) + k + v
    return out + b"\x00\x00\x09"


def amf_obj(props):
    return b"\x03" + amf_props(props)


def amf_ecma(props):
    return b"\x08" + struct.pack(">I", len(props)) + amf_props(props)


def amf_seeds():
    connect = amf_str("connect") + amf_num(1) + amf_obj([
        ("app", amf_str("live")), ("type", amf_str("nonprivate")), ("flashVer", amf_str("FMLE/3.0")),
        ("tcUrl", amf_str("rtmp://127.0.0.1:1935/live")), ("fpad", b"\x01\x00"), ("capabilities", amf_num(15)),
        ("objectEncoding", amf_num(0))])
    publish = amf_str("publish") + amf_num(5) + b"\x05" + amf_str("stream-key") + amf_str("live")
    release = amf_str("releaseStream") + amf_num(2) + b"\x05" + amf_str("stream-key")
    create = amf_str("createStream") + amf_num(4) + b"\x05"
    meta = amf_str("@setDataFrame") + amf_str("onMetaData") + amf_ecma([
        ("duration", amf_num(0)), ("width", amf_num(64)), ("height", amf_num(48)), ("videocodecid", amf_num(7)),
        ("audiocodecid", amf_num(10)), ("stereo", b"\x01\x01"), ("encoder", b"\x0c\x00\x00\x00\x03lpg"),
        ("list", b"\x0a\x00\x00\x00\x02" + amf_num(1) + b"\x06"),
        ("when", b"\x0b" + struct.pack(">d", 1.7e12) + b"\x00\x00"),
        ("typed", b"\x10\x00\x03Foo" + amf_props([("x", amf_num(1))]))])
    for name, data in [("connect.amf0", connect), ("publish.amf0", publish), ("release.amf0", release),
                       ("create_stream.amf0", create), ("metadata.amf0", meta)]:
        put("rtmp_amf0", name, data)
    return connect, release, create, publish, meta


def basic_header(fmt, csid):
    if csid < 64:
        return bytes([(fmt << 6) | csid])
    if csid < 320:
        return bytes([fmt << 6, csid - 64])
    return bytes([(fmt << 6) | 1, (csid - 64) & 0xff, (csid - 64) >> 8])


def chunks(csid, mtype, stream_id, ts, payload, chunk_size=128, fmt=0, delta=0):
    """A message as chunks: `fmt` (0, 1 or 2) on the first, format 3 after."""
    ext = (ts if fmt == 0 else delta) >= 0xffffff
    field = 0xffffff if ext else (ts if fmt == 0 else delta)
    out = basic_header(fmt, csid) + field.to_bytes(3, "big")
    if fmt <= 1:
        out += len(payload).to_bytes(3, "big") + bytes([mtype])
    if fmt == 0:
        out += struct.pack("<I", stream_id)
    if ext:
        out += (ts if fmt == 0 else delta).to_bytes(4, "big")
    first = True
    for at in range(0, max(len(payload), 1), chunk_size):
        if not first:
            out += basic_header(3, csid)
            if ext:
                out += (ts if fmt == 0 else delta).to_bytes(4, "big")
        out += payload[at:at + chunk_size]
        first = False
    return out


def rtmp_seeds(amf, capture):
    connect, release, create, publish, meta = amf
    # FLV-style video and audio payloads (AVC sequence header, a NAL unit; AAC config, a frame).
    avc_config = b"\x17\x00\x00\x00\x00\x01\x64\x00\x1f\xff\xe1\x00\x04\x67\x64\x00\x1f\x01\x00\x04\x68\xee\x3c\x80"
    avc_frame = b"\x17\x01\x00\x00\x00\x00\x00\x00\x05\x65\x88\x84\x00\x10"
    aac_config = b"\xaf\x00\x12\x10"
    aac_frame = b"\xaf\x01" + b"\x21" * 20
    session = b"".join([
        chunks(3, 20, 0, 0, connect),
        chunks(2, 1, 0, 0, struct.pack(">I", 4096)),  # Set Chunk Size
        chunks(3, 20, 0, 0, release, 4096),
        chunks(3, 20, 0, 0, create, 4096, fmt=1),
        chunks(4, 20, 1, 0, publish, 4096),
        chunks(4, 18, 1, 0, meta, 4096),
        chunks(6, 9, 1, 0, avc_config, 4096),
        chunks(5, 8, 1, 0, aac_config, 4096),
        chunks(6, 9, 1, 33, avc_frame, 4096, fmt=1, delta=33),
        chunks(6, 9, 1, 66, avc_frame, 4096, fmt=2, delta=33),
        chunks(5, 8, 1, 23, aac_frame, 4096, fmt=2, delta=23),
    ])
    put("rtmp_chunk", "publish_session.bin", b"\x00" + session)      # fed whole
    put("rtmp_chunk", "publish_session_7.bin", b"\x47" + session)    # 7-byte reads, publishing limits
    # rtmp_session's first byte is only the read size (0: all at once).
    put("rtmp_session", "publish_session.bin", b"\x00" + session)
    put("rtmp_session", "publish_session_7.bin", b"\x07" + session)
    # 128-byte chunks, an extended timestamp (also on the format-3 chunks), a large csid,
    # an Abort of a half-sent message, an acknowledgement window.
    long_payload = bytes(range(256)) * 2
    ext = b"".join([
        chunks(3, 20, 0, 0, connect),
        chunks(300, 9, 1, 0x1234567, long_payload),
        chunks(70, 9, 1, 0, long_payload)[:140],
        chunks(2, 2, 0, 0, struct.pack(">I", 70)),  # Abort csid 70
        chunks(2, 5, 0, 0, struct.pack(">I", 2500000)),
        chunks(300, 9, 1, 0, avc_frame, fmt=1, delta=0x1000000),
    ])
    put("rtmp_chunk", "extended_abort.bin", b"\x01" + ext)
    put("rtmp_session", "extended_abort.bin", b"\x01" + ext)
    if capture:
        data = read(capture)
        put("rtmp_chunk", "rtmp2sink_capture.bin", b"\x00" + data[:8192])
        put("rtmp_chunk", "rtmp2sink_capture_13.bin", b"\x4d" + data[:8192])
        put("rtmp_session", "rtmp2sink_capture.bin", b"\x00" + data[:8192])
        put("rtmp_session", "rtmp2sink_capture_200.bin", b"\xc8" + data[:8192])


def capture_rtmp(tmp):
    """What GStreamer's rtmp2sink sends after the handshake, publishing 10 frames of H.264 + AAC
    to ffmpeg's RTMP server (-listen 1) through a recording proxy on loopback."""
    import socket
    import threading
    import time

    def free_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    server_port, proxy_port = free_port(), free_port()
    server = subprocess.Popen(["ffmpeg", "-v", "error", "-listen", "1", "-i",
                               "rtmp://127.0.0.1:%d/live/key" % server_port, "-c", "copy", "-f", "null", "-"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    recorded = bytearray()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", proxy_port))
    listener.listen(1)

    def pump(src, dst, record):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if record:
                    recorded.extend(data)
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def proxy():
        client, _ = listener.accept()
        for _ in range(50):
            try:
                upstream = socket.create_connection(("127.0.0.1", server_port))
                break
            except OSError:
                time.sleep(0.1)
        t = threading.Thread(target=pump, args=(upstream, client, False))
        t.start()
        pump(client, upstream, True)
        t.join()

    thread = threading.Thread(target=proxy, daemon=True)
    thread.start()
    time.sleep(1)  # ffmpeg's server listening
    pipeline = ("videotestsrc num-buffers=10 ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
                "x264enc key-int-max=5 ! h264parse ! flvmux name=m streamable=true ! "
                "rtmp2sink location=rtmp://127.0.0.1:%d/live/key "
                "audiotestsrc num-buffers=5 samplesperbuffer=1024 ! avenc_aac ! aacparse ! m." % proxy_port)
    try:
        subprocess.run(["gst-launch-1.0", "-q"] + pipeline.split(), check=True, timeout=60,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        thread.join(10)
    finally:
        server.kill()
        server.wait()
        listener.close()
    handshake = 1 + 1536 + 1536  # C0, C1, C2
    if len(recorded) <= handshake:
        raise RuntimeError("no RTMP traffic was recorded")
    path = os.path.join(tmp, "rtmp.bin")
    with open(path, "wb") as f:
        f.write(recorded[handshake:])
    return path


def pb_varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if not n:
            return out + bytes([b])
        out += bytes([b | 0x80])


def pb_field(num, wire_type, payload):
    """One protobuf field: a varint (wire type 0) or length-delimited bytes (2)."""
    key = pb_varint((num << 3) | wire_type)
    return key + (pb_varint(payload) if wire_type == 0 else pb_varint(len(payload)) + payload)


def payment_seeds():
    """Livepeer-Payment headers (base64 net.Payment, lp_rpc.proto): tickets for a recipient 0x70..70."""
    import base64
    f = pb_field
    expiration = f(1, 0, 7) + f(2, 2, b"\x11" * 32)
    params = (f(1, 2, b"\x70" * 20) + f(2, 2, (10**17).to_bytes(8, "big")) + f(3, 2, b"\xff" * 31) +
              f(4, 2, b"\x22" * 32) + f(5, 2, b"\x33" * 32) + f(6, 2, (1040).to_bytes(2, "big")) + f(7, 2, expiration))
    ticket = lambda nonce: f(1, 0, nonce) + f(2, 2, b"\x44" * 64 + b"\x1b")
    price = f(1, 0, 1) + f(2, 0, 1)
    two = f(1, 2, params) + f(2, 2, b"\x3c" * 20) + f(3, 2, expiration) + f(4, 2, ticket(1)) + f(4, 2, ticket(2)) + f(5, 2, price)
    put("livepeer_payment", "two_tickets", base64.b64encode(two))
    put("livepeer_payment", "no_tickets", base64.b64encode(f(1, 2, params) + f(2, 2, b"\x3c" * 20) + f(5, 2, price)))
    put("livepeer_payment", "empty", b"")
    put("livepeer_payment", "bad_base64", b"AAAA=AAA")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rtmp-capture", help="bytes a publisher sent after the RTMP handshake "
                    "(default: capture rtmp2sink publishing to ffmpeg's RTMP server)")
    args = ap.parse_args()
    # Inputs that once crashed a target (regress_*, kept by hand) stay; the rest is remade.
    for d, _, files in os.walk(CORPUS):
        for f in files:
            if not f.startswith("regress_"):
                os.remove(os.path.join(d, f))
    json_seeds()
    payment_seeds()
    with tempfile.TemporaryDirectory() as tmp:
        media_seeds(tmp)
        capture = args.rtmp_capture or capture_rtmp(tmp)
        rtmp_seeds(amf_seeds(), capture)


if __name__ == "__main__":
    main()
