"""The reference side of QuantileSketch's differential test; run it through scripts/ddsketch-reference."""

import argparse
import json
import sys

from ddsketch import LogCollapsingLowestDenseDDSketch


def bins(store):
    """A store's non-empty bins as [key, count] pairs, ascending, and its collapse flag."""
    pairs = [[index + store.offset, int(count)] for index, count in enumerate(store.bins) if count]
    return {"bins": pairs, "collapsed": bool(getattr(store, "is_collapsed", False))}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relative-accuracy", type=float, required=True)
    parser.add_argument("--bin-limit", type=int, required=True)
    parser.add_argument("--quantiles", required=True, help="comma-separated, each in [0, 1]")
    parser.add_argument("values", help="a file with one value per line")
    arguments = parser.parse_args()

    sketch = LogCollapsingLowestDenseDDSketch(arguments.relative_accuracy, arguments.bin_limit)
    with open(arguments.values, encoding="ascii") as lines:
        for line in lines:
            sketch.add(float(line))
    quantiles = [float(q) for q in arguments.quantiles.split(",")]
    json.dump(
        {
            "count": int(sketch.count),
            "zero_count": int(sketch._zero_count),
            "quantiles": [float(sketch.get_quantile_value(q)).hex() for q in quantiles],
            "positive": bins(sketch._store),
            "negative": bins(sketch._negative_store),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
