#!/usr/bin/python3
"""The peer pipeline of the face benchmark: Gatehouse's face analysis done again with OpenCV (Debian's
python3-opencv): cv2.imdecode, the same six ONNX models under cv2.dnn, the same crops, sizes and normalisations
as src/Gatehouse.Faces (FaceModels.cs, Alignment.cs, FaceEngine.cs), cv2.warpAffine for the alignment and
cv2.imencode for the thumbnail. Stages are timed with the same boundaries as Gatehouse's FaceTimings.

    /usr/bin/python3 bench/faces-peer/peer.py --models data/face-models --photos DIR [--runs 51] [--threads 2]

DIR holds the JPEGs that `Gatehouse.Benchmarks faces --out DIR` wrote, and its gatehouse.json (optional): when it
is there, the peer also prints how close its metrics and template are to Gatehouse's on the same photo.
"""
import argparse
import json
import os
import time

import cv2
import numpy as np

STAGES = ["decode", "detect", "landmarks", "pose", "eyes", "liveness", "template", "total"]
REFERENCE = np.array([[38.2946, 51.6963], [73.5318, 51.5014], [56.0252, 71.7366],
                      [41.5493, 92.3655], [70.7299, 92.2041]], dtype=np.float64)
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
GREY = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def crop(img, x, y, w, h, out_w, out_h):
    """The part (x, y, w, h) of img scaled to out_w x out_h, black outside the image (FaceImage.Crop).

    Whole pixels, then cv2.resize: INTER_AREA when shrinking (Skia samples a mipmap level), else INTER_LINEAR."""
    x0, y0 = int(round(x)), int(round(y))
    x1, y1 = max(x0 + 1, int(round(x + w))), max(y0 + 1, int(round(y + h)))
    height, width = img.shape[:2]
    if x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height:
        region = img[y0:y1, x0:x1]
    else:
        region = np.zeros((y1 - y0, x1 - x0) + img.shape[2:], dtype=img.dtype)
        sx0, sy0, sx1, sy1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
        if sx1 > sx0 and sy1 > sy0:
            region[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0] = img[sy0:sy1, sx0:sx1]
    shrink = region.shape[1] > out_w or region.shape[0] > out_h
    return cv2.resize(region, (out_w, out_h), interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)


def planar(rgb):
    """HxWx3 float32 -> 1x3xHxW."""
    return np.ascontiguousarray(rgb.transpose(2, 0, 1)[np.newaxis])


def grey(rgb):
    return rgb.astype(np.float32) @ GREY


def softmax(v):
    e = np.exp(v - v.max())
    return e / e.sum()


def overlap(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    shared = ix * iy
    if shared <= 0:
        return 0.0
    return shared / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - shared)


def to_reference(points):
    """The least-squares similarity transform of the five points onto the reference (Alignment.ToReference)."""
    src = np.array([points[[37, 38, 40, 41]].mean(0), points[[43, 44, 46, 47]].mean(0), points[30],
                    points[[48, 60]].mean(0), points[[54, 64]].mean(0)], dtype=np.float64)
    ms, md = src.mean(0), REFERENCE.mean(0)
    s, d = src - ms, REFERENCE - md
    den = (s ** 2).sum()
    if den <= 0:
        return np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float64)
    a = (s[:, 0] * d[:, 0] + s[:, 1] * d[:, 1]).sum() / den
    b = (s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum() / den
    tx = md[0] - (a * ms[0] - b * ms[1])
    ty = md[1] - (b * ms[0] + a * ms[1])
    return np.array([[a, -b, tx], [b, a, ty]], dtype=np.float64)


class Peer:
    def __init__(self, models):
        def load(name):
            net = cv2.dnn.readNetFromONNX(os.path.join(models, name))
            net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
            net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
            return net
        self.detector = load("fr_detect.onnx")
        self.landmarks = load("fr_landmark.onnx")
        self.recognizer = load("fr_feature.onnx")
        self.pose = load("fr_pose.onnx")
        self.liveness = load("fr_liveness.onnx")
        self.eyes = load("fr_eye.onnx")
        self.pose_outputs = list(self.pose.getUnconnectedOutLayersNames())

    @staticmethod
    def run(net, blob, outputs=None):
        net.setInput(blob)
        return net.forward(outputs) if outputs else net.forward()

    def analyze(self, data):
        t = {}
        start = last = time.perf_counter()

        def lap(stage):
            nonlocal last
            now = time.perf_counter()
            t[stage] = (now - last) * 1000
            last = now

        bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)  # applies the EXIF orientation
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        height, width = rgb.shape[:2]
        lap("decode")

        small = cv2.resize(rgb, (320, 240), interpolation=cv2.INTER_AREA)
        scores, boxes = self.run(self.detector, planar((small.astype(np.float32) - 127) / 128), ["scores", "boxes"])
        keep = scores[0, :, 1] >= 0.65
        cand = np.clip(boxes[0][keep], 0, 1) * np.array([width, height, width, height], dtype=np.float32)
        cand_scores = scores[0, keep, 1]
        order = np.argsort(-cand_scores, kind="stable")
        faces = []
        for i in order:
            b = cand[i]
            if b[2] - b[0] > 1 and b[3] - b[1] > 1 and all(overlap(k[0], b) <= 0.3 for k in faces):
                faces.append((b, float(cand_scores[i])))
        if not faces:
            raise ValueError("no face")
        box = max(faces, key=lambda f: f[0][2] - f[0][0])[0]
        bx, by, bw, bh = float(box[0]), float(box[1]), float(box[2] - box[0]), float(box[3] - box[1])
        lap("detect")

        face = crop(rgb, bx, by, bw, bh, 64, 64)
        out = self.run(self.landmarks, (grey(face) / 256)[np.newaxis, np.newaxis]).reshape(-1)
        points = np.stack([bx + out[0::2] * bw, by + out[1::2] * bh], axis=1)
        lap("landmarks")

        wx, wy, ww, wh = bx - bw / 4, by - bh / 4, bw * 1.5, bh * 1.5
        ix0, iy0, ix1, iy1 = max(wx, 0), max(wy, 0), min(wx + ww, width), min(wy + wh, height)
        if ix1 > ix0 and iy1 > iy0:
            wx, wy, ww, wh = ix0, iy0, ix1 - ix0, iy1 - iy0
        wide = crop(rgb, wx, wy, ww, wh, 224, 224)
        outs = self.run(self.pose, planar((wide.astype(np.float32) / 255 - MEAN) / STD), self.pose_outputs)
        angles = {n: float((softmax(o.reshape(-1)) * np.arange(66)).sum() * 3 - 99) for n, o in zip(self.pose_outputs, outs)}
        lap("pose")

        # Gatehouse's "eyes" stage also holds the alignment warp and the quality measures (FaceEngine.Analyze).
        m = to_reference(points)
        # Skia samples pixel centres (x + 0.5); warpAffine samples at whole coordinates.
        m_cv = m.copy()
        m_cv[:, 2] += m[:, :2] @ np.array([0.5, 0.5]) - 0.5
        aligned = cv2.warpAffine(rgb, m_cv, (112, 112), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        g = grey(aligned)
        c = g[36:104, 28:84]
        lap_img = g[35:103, 28:84] + g[37:105, 28:84] + g[36:104, 27:83] + g[36:104, 29:85] - 4 * c
        sharpness = float(lap_img.astype(np.float64).var())
        brightness = float(c.mean())
        px = aligned[36:104, 28:84].astype(np.int16)
        colour = float((np.abs(px[..., 0] - px[..., 1]) + np.abs(px[..., 1] - px[..., 2])).mean())
        eyes_open = 1.0
        for first in (36, 42):
            p = points
            cx = (p[first + 1, 0] + p[first + 2, 0] + p[first + 4, 0] + p[first + 5, 0]) / 4
            cy = (p[first + 1, 1] + p[first + 2, 1] + p[first + 4, 1] + p[first + 5, 1]) / 4
            side = max(2.0, (p[first + 3, 0] - p[first, 0]) * 1.6)
            eye = crop(rgb, cx - side / 2, cy - side / 2, side, side, 24, 24)
            prob = softmax(self.run(self.eyes, (grey(eye) / 255)[np.newaxis, np.newaxis]).reshape(-1))[1]
            eyes_open = min(eyes_open, float(prob))
        lap("eyes")

        scale = min(2.7, (height - 1) / bh, (width - 1) / bw)
        lw, lh = bw * scale, bh * scale
        left = max(0.0, min(bx + bw / 2 - lw / 2, width - 1 - lw))
        top = max(0.0, min(by + bh / 2 - lh / 2, height - 1 - lh))
        context = crop(rgb, left, top, lw, lh, 128, 128)
        live = float(softmax(self.run(self.liveness, planar(context.astype(np.float32))).reshape(-1))[1])
        lap("liveness")

        vector = self.run(self.recognizer, planar((aligned.astype(np.float32) - 127) / 128)).reshape(-1)
        norm = np.linalg.norm(vector)
        if norm > 0:
            vector = vector / norm
        side = max(bw, bh) * 1.4
        thumb = crop(bgr, bx + bw / 2 - side / 2, by + bh / 2 - side / 2, side, side, 160, 160)
        ok, jpeg = cv2.imencode(".jpg", thumb, [cv2.IMWRITE_JPEG_QUALITY, 80])
        lap("template")
        t["total"] = (time.perf_counter() - start) * 1000

        quality = {"faceWidth": round(bw), "angles": {k: round(v, 1) for k, v in angles.items()},
                   "sharpness": round(sharpness, 1), "brightness": round(brightness, 1), "colour": round(colour, 1),
                   "eyesOpen": round(eyes_open, 3), "liveness": round(live, 3), "thumbnailBytes": len(jpeg)}
        return t, quality, vector


def percentile(values, p):
    return float(np.percentile(np.array(values), p * 100))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", required=True)
    parser.add_argument("--photos", required=True)
    parser.add_argument("--runs", type=int, default=51)
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    cv2.setNumThreads(args.threads)
    load_start = time.perf_counter()
    peer = Peer(args.models)
    load_ms = (time.perf_counter() - load_start) * 1000
    reference = {}
    gatehouse_json = os.path.join(args.photos, "gatehouse.json")
    if os.path.exists(gatehouse_json):
        with open(gatehouse_json, encoding="utf-8") as f:
            reference = json.load(f).get("photos", {})
    with open("/proc/loadavg", encoding="ascii") as f:
        load_average = " ".join(f.read().split()[:3])
    print(f"# Peer: OpenCV {cv2.__version__} DNN (Debian python3-opencv), numpy {np.__version__}, "
          f"cv2 threads {cv2.getNumThreads()}, median of {args.runs} after {args.warm_up} warm-up")
    print(f"# load average {load_average}, models loaded in {load_ms:.0f} ms")

    photos = sorted(f for f in os.listdir(args.photos) if f.endswith(".jpg"))
    results = {}
    for name in photos:
        with open(os.path.join(args.photos, name), "rb") as f:
            data = f.read()
        _, quality, vector = peer.analyze(data)
        for _ in range(max(0, args.warm_up - 1)):
            peer.analyze(data)
        samples = [peer.analyze(data)[0] for _ in range(args.runs)]
        median = {s: percentile([x[s] for x in samples], 0.5) for s in STAGES}
        p90 = {s: percentile([x[s] for x in samples], 0.9) for s in STAGES}
        check = {}
        if name in reference:
            gq = reference[name]["quality"]
            template = np.array(reference[name]["template"], dtype=np.float32)
            check = {"templateCosine": round(float(template @ vector), 4),
                     "gatehouse": {k: gq.get(k) for k in ("faceWidth", "yaw", "pitch", "roll", "sharpness",
                                                         "brightness", "eyesOpen", "liveness")}}
        results[name] = {"median": median, "p90": p90, "quality": quality, "check": check}
        print(f"\n{name}: {json.dumps(quality)}")
        if check:
            print(f"  Gatehouse on the same photo: {json.dumps(check['gatehouse'])}; cosine of the two templates {check['templateCosine']}")
        print("| Stage | Median ms | p90 ms |")
        print("|---|---:|---:|")
        for s in STAGES:
            print(f"| {s} | {median[s]:.2f} | {p90[s]:.2f} |")

    out = os.path.join(args.photos, "peer.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"runtime": f"OpenCV {cv2.__version__} DNN", "threads": cv2.getNumThreads(), "runs": args.runs,
                   "loadAverage": load_average, "modelLoadMs": load_ms, "photos": results}, f, indent=2)
    print(f"\nWritten: {out}")


if __name__ == "__main__":
    main()
