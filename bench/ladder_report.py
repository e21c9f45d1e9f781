#!/usr/bin/env python3
"""Helper of bench/ladder.sh (python3 standard library only).

  ladder_report.py measure OUT.json -- CMD ARGS...
      Runs CMD and writes {"wall", "user", "sys", "maxrss_kb", "rc"} to OUT.json.
      Used only when GNU time (/usr/bin/time) is not installed.
  ladder_report.py report --work DIR --source SRC --runs N --fps F --seconds S \
      --rendition NAME:W:H:BITRATE ... [--tool KEY=LABEL ...]
      Checks the outputs, measures PSNR, prints the markdown report.

Work directory layout written by ladder.sh:
  DIR/<tool>/run<i>/time.json      resources of run i
  DIR/<tool>/run<i>/<name>.ts      the renditions of run i
"""

import argparse
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import time


def die(msg):
    print(f"ladder_report: error: {msg}", file=sys.stderr)
    sys.exit(1)


# ----------------------------------------------------------------------------- measure

def cmd_measure(args):
    if not args.cmd:
        die("measure: no command")
    cmd = args.cmd[1:] if args.cmd[0] == "--" else args.cmd
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    rc = os.waitstatus_to_exitcode(status)
    result = {"wall": wall, "user": usage.ru_utime, "sys": usage.ru_stime,
              "maxrss_kb": usage.ru_maxrss, "rc": rc}
    with open(args.out, "w") as f:
        json.dump(result, f)
    sys.exit(rc if rc >= 0 else 1)


# ----------------------------------------------------------------------------- report

def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def md5(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def probe_video(path):
    """(width, height, decoded frame count, video payload bytes) of a rendition."""
    p = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames",
             "-show_entries", "stream=width,height,nb_read_frames", "-of", "json", path])
    if p.returncode != 0:
        die(f"ffprobe failed on {path}: {p.stderr.decode(errors='replace')[-500:]}")
    streams = json.loads(p.stdout).get("streams", [])
    if not streams:
        die(f"{path}: no video stream")
    s = streams[0]
    q = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "packet=size", "-of", "csv=p=0", path])
    size = sum(int(x) for x in re.findall(r"\d+", q.stdout.decode()))
    return int(s["width"]), int(s["height"]), int(s.get("nb_read_frames", 0)), size


def x264_options(path):
    """The option string x264 writes into its SEI, as an ordered dict."""
    p = run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-map", "0:v:0", "-c", "copy",
             "-f", "h264", "-"])
    m = re.search(rb"x264 - core \d+[^\x00]*? - options: ([^\x00\x80]*)", p.stdout)
    if not m:
        return None
    opts = {}
    for tok in m.group(1).decode("ascii", "replace").split():
        if "=" in tok:
            k, v = tok.split("=", 1)
            opts[k] = v
    return opts


PSNR_RE = re.compile(r"PSNR y:(\S+) u:(\S+) v:(\S+) average:(\S+)")


def psnr(rendition, source, width, height):
    """Whole-clip PSNR of the decoded rendition against the source scaled with lanczos.

    Frames are paired by index (setpts=N on both sides), so a dropped or duplicated frame
    would misalign them: the caller checks the frame counts first.
    """
    lavfi = (f"[0:v]setpts=N[dis];[1:v]setpts=N,scale={width}:{height}:flags=lanczos[ref];"
             f"[dis][ref]psnr")
    p = run(["ffmpeg", "-hide_banner", "-nostats", "-nostdin", "-i", rendition, "-i", source,
             "-lavfi", lavfi, "-f", "null", "-"])
    m = PSNR_RE.search(p.stderr.decode(errors="replace"))
    if p.returncode != 0 or not m:
        die(f"PSNR of {rendition} failed: {p.stderr.decode(errors='replace')[-800:]}")
    vals = [float("inf") if x == "inf" else float(x) for x in m.groups()]
    return {"y": vals[0], "u": vals[1], "v": vals[2], "avg": vals[3]}


def fmt(x, nd=2):
    return f"{x:.{nd}f}"


def cmd_report(args):
    renditions = []
    for spec in args.rendition:
        name, w, h, b = spec.split(":")
        renditions.append({"name": name, "w": int(w), "h": int(h), "bitrate": int(b)})
    tools = []
    for spec in args.tool:
        key, label = spec.split("=", 1)
        tools.append((key, label))
    expected_frames = round(args.fps * args.seconds)

    results = {}  # key -> dict
    problems = []
    for key, label in tools:
        times, hashes_per_run = [], []
        for i in range(1, args.runs + 1):
            d = os.path.join(args.work, key, f"run{i}")
            with open(os.path.join(d, "time.json")) as f:
                t = json.load(f)
            try:
                with open(os.path.join(d, "busy.before")) as f:
                    before = int(f.read())
                with open(os.path.join(d, "busy.after")) as f:
                    after = int(f.read())
                hz = os.sysconf("SC_CLK_TCK")
                t["other"] = max(0.0, (after - before) / hz - (t["user"] + t["sys"]))
            except (OSError, ValueError):
                t["other"] = None
            times.append(t)
            hashes_per_run.append(tuple(md5(os.path.join(d, r["name"] + ".ts"))
                                        for r in renditions))
        # Outputs are normally bit-identical from run to run (x264 is deterministic for a
        # given thread count); measure quality once per distinct output set.
        distinct = {}
        for i, hs in enumerate(hashes_per_run, start=1):
            distinct.setdefault(hs, i)
        per_rendition = []
        for idx, r in enumerate(renditions):
            quality = []
            for hs, i in distinct.items():
                path = os.path.join(args.work, key, f"run{i}", r["name"] + ".ts")
                w, h, frames, payload = probe_video(path)
                if (w, h) != (r["w"], r["h"]):
                    problems.append(f"{label} {r['name']}: size {w}x{h}, expected "
                                    f"{r['w']}x{r['h']}")
                if frames != expected_frames:
                    problems.append(f"{label} {r['name']}: {frames} frames, expected "
                                    f"{expected_frames} (PSNR pairs frames by index)")
                q = psnr(path, args.source, r["w"], r["h"])
                q["kbps"] = payload * 8 / args.seconds / 1000
                q["frames"] = frames
                quality.append(q)
            first = os.path.join(args.work, key, "run1", r["name"] + ".ts")
            per_rendition.append({
                "y": statistics.median(q["y"] for q in quality),
                "avg": statistics.median(q["avg"] for q in quality),
                "u": statistics.median(q["u"] for q in quality),
                "v": statistics.median(q["v"] for q in quality),
                "kbps": statistics.median(q["kbps"] for q in quality),
                "frames": quality[0]["frames"],
                "x264": x264_options(first),
            })
        results[key] = {
            "label": label,
            "times": times,
            "wall": statistics.median(t["wall"] for t in times),
            "cpu": statistics.median(t["user"] + t["sys"] for t in times),
            "rss": statistics.median(t["maxrss_kb"] for t in times) / 1024,
            "other": max((t["other"] or 0.0) for t in times),
            "distinct_outputs": len(distinct),
            "renditions": per_rendition,
        }

    (ours_key, _), (ref_key, _) = tools[0], tools[1]
    ours, ref = results[ours_key], results[ref_key]
    out = []
    out.append(f"### Speed and resources (median of {args.runs} interleaved runs)\n")
    out.append("| Tool | Wall s | CPU s (user+sys) | CPU/wall | Peak RSS MiB | Wall s, every run "
               "| Other load, worst run (CPU s) |")
    out.append("|---|---:|---:|---:|---:|---|---:|")
    for key, _ in tools:
        r = results[key]
        walls = ", ".join(fmt(t["wall"]) for t in r["times"])
        out.append(f"| {r['label']} | {fmt(r['wall'])} | {fmt(r['cpu'])} | "
                   f"{fmt(r['cpu'] / r['wall'])} | {fmt(r['rss'], 0)} | {walls} | "
                   f"{fmt(r['other'], 1)} |")
    ratio = ref["wall"] / ours["wall"]
    cpu_ratio = ref["cpu"] / ours["cpu"]
    out.append("")
    out.append(f"Speed ratio (ffmpeg wall / ours wall): **{fmt(ratio)}** "
               f"({'ours faster' if ratio > 1 else 'ffmpeg faster' if ratio < 1 else 'equal'}); "
               f"CPU ratio (ffmpeg CPU / ours CPU): {fmt(cpu_ratio)}.")
    out.append("")
    out.append("### Quality per rendition (PSNR in dB against the source scaled with lanczos)\n")
    out.append("| Rendition | Target kbit/s | Ours kbit/s | ffmpeg kbit/s | Ours Y | ffmpeg Y | "
               "ΔY (ours−ffmpeg) | Ours avg | ffmpeg avg | Δavg |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    worst = None
    for idx, r in enumerate(renditions):
        a, b = ours["renditions"][idx], ref["renditions"][idx]
        dy, davg = a["y"] - b["y"], a["avg"] - b["avg"]
        worst = dy if worst is None else min(worst, dy)
        out.append(f"| {r['name']} {r['w']}x{r['h']} | {r['bitrate'] // 1000} | "
                   f"{fmt(a['kbps'], 0)} | {fmt(b['kbps'], 0)} | {fmt(a['y'])} | {fmt(b['y'])} | "
                   f"{dy:+.2f} | {fmt(a['avg'])} | {fmt(b['avg'])} | {davg:+.2f} |")
    out.append("")
    out.append("Y = luma PSNR; avg = ffmpeg's `average` (Y, U, V weighted 4:1:1 by pixel count); "
               "kbit/s = video elementary-stream bytes × 8 / duration.")
    out.append("")
    # x264 settings actually used, from the SEI each encoder writes.
    same = True
    for idx, r in enumerate(renditions):
        a, b = ours["renditions"][idx]["x264"], ref["renditions"][idx]["x264"]
        if a is None or b is None:
            out.append(f"- {r['name']}: x264 option string not found "
                       f"({'ours' if a is None else 'ffmpeg'})")
            same = False
            continue
        diff = [f"{k}: ours {a.get(k)} / ffmpeg {b.get(k)}" for k in sorted(set(a) | set(b))
                if a.get(k) != b.get(k)]
        if diff:
            same = False
            out.append(f"- {r['name']}: x264 options differ: " + "; ".join(diff))
    if same:
        o = ours["renditions"][0]["x264"]
        keys = ["threads", "lookahead_threads", "bframes", "ref", "subme", "keyint",
                "keyint_min", "scenecut", "rc_lookahead", "rc", "vbv_maxrate", "vbv_bufsize"]
        shown = " ".join(f"{k}={o[k]}" for k in keys if k in o)
        out.append(f"x264 option strings (SEI) identical for every rendition; 720p: `{shown}`.")
    out.append("")
    out.append(f"Outputs: ours {ours['distinct_outputs']} distinct set(s) over {args.runs} runs, "
               f"ffmpeg {ref['distinct_outputs']} (PSNR is the median over distinct sets); "
               f"frames per rendition: ours "
               f"{'/'.join(str(x['frames']) for x in ours['renditions'])}, ffmpeg "
               f"{'/'.join(str(x['frames']) for x in ref['renditions'])} "
               f"(expected {expected_frames}).")
    verdict = []
    verdict.append("faster than ffmpeg" if ratio >= 1 else "SLOWER than ffmpeg")
    verdict.append("no rendition more than 0.3 dB (Y) worse" if worst >= -0.3
                   else f"a rendition is {-worst:.2f} dB (Y) worse than ffmpeg")
    out.append("")
    out.append("Verdict: ours is " + "; ".join(verdict) + ".")
    contended = [results[k]["label"] for k, _ in tools
                 if results[k]["other"] > 0.1 * results[k]["cpu"]]
    if contended:
        out.append("")
        out.append("WARNING: other processes used more than 10% as much CPU as the benchmark "
                   f"during some runs of: {', '.join(contended)}; the timings are not reliable, "
                   "run again on an idle machine.")
    if problems:
        out.append("")
        out.append("PROBLEMS:")
        out.extend(f"- {p}" for p in problems)
    print("\n".join(out))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "ratio": ratio, "problems": problems}, f, indent=1)
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    m = sub.add_parser("measure")
    m.add_argument("out")
    m.add_argument("cmd", nargs=argparse.REMAINDER)
    r = sub.add_parser("report")
    r.add_argument("--work", required=True)
    r.add_argument("--source", required=True)
    r.add_argument("--runs", type=int, required=True)
    r.add_argument("--fps", type=float, required=True)
    r.add_argument("--seconds", type=float, required=True)
    r.add_argument("--rendition", action="append", required=True)
    r.add_argument("--tool", action="append", required=True,
                   help="KEY=LABEL; the first is ours, the second the reference")
    r.add_argument("--json")
    args = ap.parse_args()
    if args.what == "measure":
        cmd_measure(args)
    else:
        sys.exit(cmd_report(args))


if __name__ == "__main__":
    main()
