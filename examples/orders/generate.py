"""Realistic daily order files for the orders demo, good days and bad days.

    python examples/orders/generate.py --data-root .stepline/lake --from 2025-01-20 --days 7 \\
        --bad 2025-01-22=nulls --bad 2025-01-24=missing

Each day's file is ``s3://orders-lake/raw/orders/process_date=<day>/orders.csv`` (under the
data root): ``order_id,customer_id,order_ts,amount,status,currency``, a few hundred to a few
thousand orders, deterministic for a given day. A bad day is one of:

* ``duplicates``: 5% of the orders appear twice (the clean job drops them);
* ``nulls``: 8% of the orders lack a customer_id (the quality gate fails);
* ``schema``: the amount column is named ``total`` (the clean job fails);
* ``missing``: no file at all (the input check fails);
* ``late``: no file now; ``--arrive DAY`` writes it later (as a good day).

Also writes the customers lookup (``s3://orders-lake/reference/customers/customers.csv``).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Final

BUCKET: Final = "orders-lake"
KINDS: Final = ("duplicates", "nulls", "schema", "missing", "late")
STATUSES: Final = ("NEW", "PAID", "PAID", "PAID", "SHIPPED", "SHIPPED", "CANCELLED")
COUNTRIES: Final = ("DE", "FR", "US", "GB", "ES", "IT", "NL", "PL")
CUSTOMERS: Final = 500
HEADER: Final = ["order_id", "customer_id", "order_ts", "amount", "status", "currency"]


def raw_path(root: Path, day: str) -> Path:
    return root / BUCKET / "raw" / "orders" / f"process_date={day}" / "orders.csv"


def orders_of(day: date) -> list[list[str]]:
    """The day's orders: the same every time for the same day."""
    rng = random.Random(day.toordinal())
    start = datetime(day.year, day.month, day.day)
    rows = []
    for n in range(rng.randint(400, 1200)):
        moment = start + timedelta(seconds=rng.randint(0, 86_399))
        rows.append(
            [
                f"{day:%Y%m%d}-{n:05d}",
                str(rng.randint(1, CUSTOMERS)),
                moment.isoformat(timespec="seconds"),
                f"{rng.lognormvariate(3.5, 0.8):.2f}",
                rng.choice(STATUSES),
                "EUR",
            ]
        )
    return rows


def spoil(rows: list[list[str]], kind: str, day: date) -> tuple[list[str], list[list[str]]]:
    rng = random.Random(-day.toordinal())
    header = list(HEADER)
    if kind == "duplicates":
        rows = rows + rng.sample(rows, len(rows) // 20)
        rng.shuffle(rows)
    elif kind == "nulls":
        for row in rng.sample(rows, len(rows) * 8 // 100):
            row[1] = ""
    elif kind == "schema":
        header[3] = "total"
    return header, rows


def write_day(root: Path, day: date, kind: str | None = None) -> Path | None:
    """Write (or, for a missing or late day, remove) the day's raw file; its path."""
    path = raw_path(root, day.isoformat())
    if kind in ("missing", "late"):
        path.unlink(missing_ok=True)
        return None
    header, rows = spoil(orders_of(day), kind, day) if kind else (HEADER, orders_of(day))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(".orders.csv.part")
    staging.write_text(text.getvalue())
    staging.replace(path)  # a reader never sees half a file
    return path


def write_customers(root: Path) -> Path:
    rng = random.Random(7)
    path = root / BUCKET / "reference" / "customers" / "customers.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["customer_id", "name", "country", "segment"])
        for n in range(1, CUSTOMERS + 1):
            segment = rng.choice(("retail", "retail", "business"))
            writer.writerow([n, f"customer {n}", rng.choice(COUNTRIES), segment])
    return path


def generate(root: Path, first: date, days: int, bad: dict[str, str]) -> list[str]:
    """Write ``days`` days from ``first``; the bad ones as ``bad`` says. The days written."""
    write_customers(root)
    written = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        write_day(root, day, bad.get(day.isoformat()))
        written.append(day.isoformat())
    return written


def _bad(text: str) -> tuple[str, str]:
    day, _, kind = text.partition("=")
    if kind not in KINDS:
        raise argparse.ArgumentTypeError(f"--bad expects DAY=KIND, KIND one of {KINDS}: {text!r}")
    date.fromisoformat(day)
    return day, kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", type=Path, default=Path(".stepline/lake"))
    parser.add_argument("--from", dest="first", type=date.fromisoformat, default=date(2025, 1, 20))
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--bad", type=_bad, action="append", default=[], metavar="DAY=KIND")
    parser.add_argument("--arrive", action="append", default=[], metavar="DAY",
                        help="write a (late, missing or bad) day's good file now")  # fmt: skip
    args = parser.parse_args()
    for day in args.arrive:
        print(write_day(args.data_root, date.fromisoformat(day)))
    if not args.arrive:
        days = generate(args.data_root, args.first, args.days, dict(args.bad))
        print(f"{len(days)} day(s) from {days[0]} under {args.data_root}/{BUCKET}/raw/orders")


if __name__ == "__main__":
    main()
