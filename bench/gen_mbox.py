#!/usr/bin/env python3
"""Seeded generator of a realistic mbox (as in a Gmail Takeout) for kith's
mail import benchmark.

    gen_mbox.py --mb 1024 --seed 42 --out DIR [--shape large|small]

Writes DIR/mail.mbox of about --mb megabytes: messages between the owner
(me@home.example) and 3,000 correspondents, 40% sent by the owner to one
to three people (some in Cc), 40% received from them, 20% mailing-list,
bulk or no-reply mail; dates over three years; bodies of 1 to 12 KB of
text with quoted replies and the occasional ">From " line; a few messages
without Message-ID. `--shape small`: messages of about 1 KB (some 100,000
per 100 MB) between the owner and 5,000 correspondents, 40% sent by the
owner to one to three of them, the rest received from them.
Prints a JSON summary (messages, bytes, owner).
Only the standard library is used.
"""

import argparse
import json
import os
import random

WORDS = ("the of and to in is you that it he was for on are as with his they at be this have from or "
         "one had by word but not what all were we when your can said there use an each which she do how "
         "their if will up other about out many then them these so some her would make like him into time "
         "has look two more write go see number no way could people my than first water been call who oil "
         "its now find long down day did get come made may part project meeting next week coffee thanks "
         "report budget review draft plan launch customer contract deadline quarter team design").split()
GIVEN = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Donald", "Frances",
         "John", "Mary", "Yuki", "Wei", "Priya", "Olga", "Jean", "Ahmed", "Sofia", "Lars"]
FAMILY = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds",
          "Knuth", "Allen", "Smith", "Jones", "Tanaka", "Wang", "Patel", "Ivanova", "Dupont", "Hassan",
          "Garcia", "Nilsson"]
DOMAINS = ["gmail.com", "acme.example", "navy.example", "initech.example", "globex.example", "hooli.example"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True)
    ap.add_argument("--shape", choices=("large", "small"), default="large")
    args = ap.parse_args()
    small = args.shape == "small"
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    people = []
    for i in range(5000 if small else 3000):
        g, f = rng.choice(GIVEN), rng.choice(FAMILY)
        people.append((f"{g} {f}", f"{g.lower()}.{f.lower()}{i}@{rng.choice(DOMAINS)}"))
    me = ("Me Myself", "me@home.example")
    target = args.mb * 1024 * 1024
    path = os.path.join(args.out, "mail.mbox")
    written = 0
    n = 0
    start = 1_700_000_000
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        while written < target:
            n += 1
            t = start + rng.randrange(3 * 365 * 86400)
            date = __import__("email.utils").utils.formatdate(t, usegmt=True)
            kind = rng.random()
            extra = ""
            if kind < 0.4:
                sender = me
                rcpt = rng.sample(people, rng.randint(1, 3))
                to = [rcpt[0]]
                cc = rcpt[1:]
            elif kind < 0.8 or small:
                sender = rng.choice(people)
                to, cc = [me], []
            else:
                sender = rng.choice([("News", "news@list.example"), ("Shop", "no-reply@shop.example"),
                                     ("Dev list", "dev@lists.example")])
                to, cc = [me], []
                extra = rng.choice(["List-Id: <dev.lists.example>\n", "Precedence: bulk\n", ""])
            fmt = lambda a: f"\"{a[0]}\" <{a[1]}>"
            words = rng.randint(70, 170) if small else rng.randint(150, 2000)
            body_lines = []
            line = []
            for _ in range(words):
                line.append(rng.choice(WORDS))
                if len(line) > 12:
                    body_lines.append(" ".join(line))
                    line = []
            if not small and rng.random() < 0.3:
                body_lines.append("")
                body_lines.extend("> " + l for l in body_lines[:10])
            if rng.random() < 0.05:
                body_lines.append(">From the archive, as mbox escapes it")
            msg_id = "" if rng.random() < 0.02 else f"Message-ID: <{n}.{t}@{sender[1].split('@')[1]}>\n"
            cc_line = f"Cc: {', '.join(fmt(a) for a in cc)}\n" if cc else ""
            text = (f"From {sender[1]} {__import__('time').strftime('%a %b %d %H:%M:%S %Y', __import__('time').gmtime(t))}\n"
                    f"Return-Path: <{sender[1]}>\nDelivered-To: me@home.example\n"
                    f"From: {fmt(sender)}\nTo: {', '.join(fmt(a) for a in to)}\n{cc_line}"
                    f"Subject: {' '.join(rng.choice(WORDS) for _ in range(5))}\nDate: {date}\n{msg_id}{extra}"
                    f"MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n"
                    + "\n".join(body_lines) + "\n\n")
            out.write(text)
            written += len(text.encode("utf-8"))
    print(json.dumps({"messages": n, "bytes": written, "owner": me[1], "file": path}))


if __name__ == "__main__":
    main()
