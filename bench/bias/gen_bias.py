#!/usr/bin/env python3
"""A bias-monitoring window for the benchmark: N capture records (one JSON instance each, the
model's predicted label in the output) in one hour, and their N ground-truth labels.

    python3 bench/bias/gen_bias.py OUT_DIR N

Writes OUT_DIR/capture/bench/AllTraffic/2026/11/21/10/*.jsonl, OUT_DIR/ground-truth/2026/11/21/10/*.jsonl
and OUT_DIR/analysis_config.json. Deterministic (random.Random(7)). Facet `sex` (0 for 30 %),
group variable `age`; P(y) = 0.5 for a, 0.4 for d; the model is right 80 % of the time.
"""
import json
import os
import random
import sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
cap = os.path.join(out, "capture/bench/AllTraffic/2026/11/21/10")
gt = os.path.join(out, "ground-truth/2026/11/21/10")
os.makedirs(cap, exist_ok=True)
os.makedirs(gt, exist_ok=True)
per_file = 100_000
for part in range((n + per_file - 1) // per_file):
    with open(os.path.join(cap, f"part-{part:03d}.jsonl"), "w") as c, open(
        os.path.join(gt, f"part-{part:03d}.jsonl"), "w"
    ) as g:
        for i in range(part * per_file, min(n, (part + 1) * per_file)):
            d = rng.random() < 0.3
            age = rng.randrange(18, 80)
            y = int(rng.random() < (0.4 if d else 0.5))
            pred = y if rng.random() < 0.8 else 1 - y
            income = round(rng.lognormvariate(10, 0.5), 2)
            feats = [age, 0 if d else 1, income, rng.randrange(0, 5)]
            t = f"2026-11-21T10:{(i * 60 // n):02d}:{(i * 3600 // n) % 60:02d}Z"
            c.write(json.dumps({
                "captureData": {
                    "endpointInput": {"observedContentType": "application/json", "mode": "INPUT",
                                      "data": json.dumps({"instances": [{"features": feats}]}), "encoding": "JSON"},
                    "endpointOutput": {"observedContentType": "application/json", "mode": "OUTPUT",
                                       "data": json.dumps({"predictions": [{"predicted_label": pred}]}), "encoding": "JSON"}},
                "eventMetadata": {"eventId": f"e{i}", "inferenceId": str(i), "inferenceTime": t},
                "eventVersion": "0"}) + "\n")
            g.write(json.dumps({
                "groundTruthData": {"data": json.dumps({"instances": [{"label": y}]}), "encoding": "JSON"},
                "eventMetadata": {"eventId": str(i)}, "eventVersion": "0"}) + "\n")
with open(os.path.join(out, "analysis_config.json"), "w") as f:
    json.dump({"headers": ["age", "sex", "income", "segment", "label"], "label": "instances[*].label",
               "label_values_or_threshold": [1], "facet": [{"name_or_index": "sex", "value_or_threshold": [0]}],
               "group_variable": "age"}, f)
print(f"{n} records -> {out}", file=sys.stderr)
