#!/usr/bin/env python3
"""Seeded generator of a realistic Maildir++ mailbox for kith's IMAP sync
tests and benchmark.

    gen_maildir.py DIR --messages N --seed S --me me@example.org [--correspondents K]

DIR is the Maildir root (= INBOX), e.g. DIR/mail/LOGIN/Maildir of
tests/dovecot/start.sh; cur/ new/ tmp/ and .Sent/{cur,new,tmp} are created
if missing. Writes N messages, about 30% of them sent by --me (into
.Sent/cur) to one to three of K correspondents (default 1000, picked with a
Zipf-like skew so a few are frequent), the rest into cur/: personal mail
from the correspondents (--me in To, sometimes only in Cc, sometimes other
correspondents in Cc), about 5% mailing-list mail (List-Id, Precedence:
list), about 8% automated mail from no-reply / notification senders
(Precedence: bulk, Auto-Submitted). Headers look like real mail: Return-Path,
Received chains, DKIM-Signature, Message-ID, In-Reply-To/References on
replies, RFC 2047 encoded and quoted ("Doe, Jane") display names, varied
time zones, the odd upper-case address; Date spread over the three years
2021-01-01 .. 2024-01-01 (the file mtime, i.e. IMAP INTERNALDATE, is the same
instant). Bodies are a few short lines. LF line ends.

File names are valid maildir names, "<time>.M<n>P<seed>.kithgen,S=<size>,
W=<size with CRLF>:2,<flags>" where flags is "S" (seen) or "" (unseen;
all sent mail is seen); the leading time is the Date, so Dovecot assigns
UIDs in date order. The output depends only on the arguments (not on the
clock or the machine). Files are created 0644, readable by Dovecot's mail
user when written as root. DIR must not already hold generated messages
with the same seed (O_EXCL).

Prints one JSON line: messages, inbox, sent, wrote_to (distinct addresses
--me wrote to, case-folded), two_way (of those, how many also wrote to
--me), list, noreply, unseen, bytes, seconds. Standard library only.
"""

import argparse
import base64
import bisect
import itertools
import json
import os
import random
import time

WORDS = ("the of and to in is you that it was for on are as with they at be this have from or one had by "
         "but not what all were we when your can said there use each which do how their if will up other "
         "about out many then them these so some would make like into time has look two more write go see "
         "number no way could people my than first been call who its now find long down day did get come "
         "made may part project meeting next week coffee thanks report budget review draft plan launch "
         "customer contract deadline quarter team design invoice slides agenda lunch tomorrow friday").split()
GIVEN = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Donald", "Frances",
         "John", "Mary", "Yuki", "Wei", "Priya", "Olga", "Jean", "Ahmed", "Sofia", "Lars", "Chloé",
         "José", "Zoë", "Mateus", "Aiko", "Nadia", "Tomás", "Ingrid", "Kwame", "Leila"]
FAMILY = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds",
          "Knuth", "Allen", "Smith", "Jones", "Tanaka", "Wang", "Patel", "Ivanova", "Dupont", "Hassan",
          "Garcia", "Nilsson", "Müller", "O'Brien", "Nguyen", "Kowalski", "Rossi", "Sørensen"]
DOMAINS = ["gmail.com", "outlook.com", "fastmail.com", "acme.example", "initech.example", "globex.example",
           "hooli.example", "uni-example.edu", "posteo.de", "proton.me"]
LISTS = [("dev", "Developers", "lists.rust-example.org"), ("announce", "Announcements", "lists.example.net"),
         ("users", "Users' forum", "groups.example.com"), ("climbing", "Climbing club", "googlegroups.com")]
NOREPLY = [("GitHub", "notifications@github.example"), ("Bank of Example", "no-reply@bank.example"),
           ("Shop", "noreply@shop.example"), ("Calendar", "calendar-notification@google.example"),
           ("Airline", "donotreply@air.example"), ("Newsletter", "news@mailer.example"),
           ("Accounts", "no_reply@accounts.example"), ("Mailer-Daemon", "MAILER-DAEMON@mx.example.org")]
MAILERS = ["Mozilla Thunderbird", "Apple Mail (2.3731.700.6)", "Microsoft Outlook 16.0", "K-9 Mail",
           "Roundcube Webmail/1.6.1", "Mutt/2.2.9"]
TZS = [0, 60, 120, -300, -240, -420, 330, 540, 600, -180]
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
START = 1609459200          # 2021-01-01T00:00:00Z
SPAN = 1704067200 - START   # three years


def rfc2822(t, tz):
    tm = time.gmtime(t + tz * 60)
    sign = "+" if tz >= 0 else "-"
    a = abs(tz)
    return (f"{DAYS[tm.tm_wday]}, {tm.tm_mday:02d} {MONTHS[tm.tm_mon - 1]} {tm.tm_year} "
            f"{tm.tm_hour:02d}:{tm.tm_min:02d}:{tm.tm_sec:02d} {sign}{a // 60:02d}{a % 60:02d}")


def display(name, addr):
    if not name:
        return addr
    if not name.isascii():
        enc = base64.b64encode(name.encode()).decode()
        return f"=?UTF-8?B?{enc}?= <{addr}>"
    if any(c in name for c in ",.'()"):
        return f"\"{name}\" <{addr}>"
    return f"{name} <{addr}>"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--messages", type=int, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--me", required=True)
    ap.add_argument("--correspondents", type=int, default=1000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    os.umask(0o022)  # Dovecot's mail user must be able to read the files
    rng = random.Random(args.seed)
    me_addr = args.me
    me_name = "Sam Owner"
    me_domain = me_addr.rsplit("@", 1)[-1]
    me_disp = display(me_name, me_addr)

    root = args.dir
    for sub in ("", ".Sent"):
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(root, sub, d), exist_ok=True)
    mf = os.path.join(root, ".Sent", "maildirfolder")
    if not os.path.exists(mf):
        open(mf, "wb").close()
    inbox_cur = os.path.join(root, "cur")
    sent_cur = os.path.join(root, ".Sent", "cur")

    people = []
    for i in range(max(1, args.correspondents)):
        g, f = rng.choice(GIVEN), rng.choice(FAMILY)
        local = (f"{g}.{f}" if rng.random() < 0.7 else f"{g[0]}{f}").lower()
        local = "".join(c for c in local.encode("ascii", "ignore").decode() if c.isalnum() or c == ".")
        addr = f"{local}{i}@{rng.choice(DOMAINS)}"
        r = rng.random()
        name = f"{f}, {g}" if r < 0.05 else ("" if r < 0.12 else f"{g} {f}")
        people.append((name, addr))
    # Zipf-like popularity: weight 1/(rank+1)^1.1
    cum = list(itertools.accumulate(1.0 / (i + 1) ** 1.1 for i in range(len(people))))
    total_w = cum[-1]

    def person():
        return people[bisect.bisect_left(cum, rng.random() * total_w)]

    def b64(n):
        return base64.b64encode(rng.randbytes(n)).decode()

    def body(lines):
        return "\n".join(" ".join(rng.choices(WORDS, k=rng.randint(6, 14))) for _ in range(lines))

    wrote_to, wrote_me = set(), set()
    counts = {"inbox": 0, "sent": 0, "list": 0, "noreply": 0, "unseen": 0}
    total_bytes = 0
    recent_ids = []
    flags_o = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    for n in range(args.messages):
        t = START + rng.randrange(SPAN)
        tz = rng.choice(TZS)
        date = rfc2822(t, tz)
        kind = rng.random()
        subj = " ".join(rng.choices(WORDS, k=rng.randint(2, 7))).capitalize()
        reply = recent_ids and rng.random() < 0.3
        if reply:
            parent = rng.choice(recent_ids)
            subj = "Re: " + subj
        h = []
        seen = True
        if kind < 0.30:  # sent by me
            rcpt = [person() for _ in range(rng.choices((1, 2, 3), (70, 20, 10))[0])]
            to, cc = rcpt[:1], rcpt[1:]
            if cc and rng.random() < 0.5:
                to, cc = rcpt, []
            for _, a in rcpt:
                wrote_to.add(a.lower())
            mid = f"<{b64(9).replace('/', '_').replace('+', '-')}@{me_domain}>"
            h.append(f"From: {me_disp}")
            h.append("To: " + ", ".join(display(*p) for p in to))
            if cc:
                h.append("Cc: " + ", ".join(display(*p) for p in cc))
            h.append(f"Subject: {subj}")
            h.append(f"Date: {date}")
            h.append(f"Message-ID: {mid}")
            if reply:
                h.append(f"In-Reply-To: {parent}")
                h.append(f"References: {parent}")
            h.append(f"User-Agent: {rng.choice(MAILERS)}")
            h.append("MIME-Version: 1.0")
            h.append("Content-Type: text/plain; charset=UTF-8; format=flowed")
            h.append("Content-Transfer-Encoding: 7bit")
            text = body(rng.randint(2, 6)) + "\n\n-- \nSam\n"
            folder = sent_cur
            counts["sent"] += 1
        else:
            extra = []
            if kind < 0.35:  # mailing list
                lname, ltitle, ldomain = rng.choice(LISTS)
                laddr = f"{lname}@{ldomain}"
                if rng.random() < 0.3:
                    sender = person()
                else:
                    sender = (f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
                              f"member{rng.randrange(5000)}@{rng.choice(DOMAINS)}")
                to, cc = [(ltitle, laddr)], []
                extra = [f"List-Id: {ltitle} <{lname}.{ldomain}>",
                         f"List-Unsubscribe: <mailto:{lname}-unsubscribe@{ldomain}>",
                         f"List-Post: <mailto:{laddr}>", "Precedence: list",
                         f"Sender: \"{ltitle}\" <{lname}-bounces@{ldomain}>"]
                seen = rng.random() < 0.6
                counts["list"] += 1
            elif kind < 0.43:  # automated, no-reply
                sender = rng.choice(NOREPLY)
                to, cc = [("", me_addr)], []
                extra = [rng.choice(["Precedence: bulk", "Auto-Submitted: auto-generated",
                                     "Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All"]),
                         f"List-Unsubscribe: <https://{sender[1].split('@')[1]}/u/{b64(6)}>"]
                seen = rng.random() < 0.7
                counts["noreply"] += 1
            else:  # personal mail to me
                sender = person()
                wrote_me.add(sender[1].lower())
                if rng.random() < 0.02:  # the odd upper-cased address
                    sender = (sender[0], sender[1].upper())
                me_p = (me_name if rng.random() < 0.6 else "", me_addr)
                others = [person() for _ in range(rng.choices((0, 1, 2), (75, 18, 7))[0])]
                if others and rng.random() < 0.3:
                    to, cc = others[:1], [me_p] + others[1:]
                else:
                    to, cc = [me_p], others
                seen = rng.random() < 0.9
            sdom = sender[1].rsplit("@", 1)[-1].lower()
            h.append(f"Return-Path: <{sender[1]}>")
            h.append(f"Delivered-To: {me_addr}")
            for hop in range(rng.randint(1, 3)):
                ip = f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
                h.append(f"Received: from mail{hop}.{sdom} (mail{hop}.{sdom} [{ip}])\n"
                         f"\tby mx.{me_domain} (Postfix) with ESMTPS id {b64(6).upper()[:10]}\n"
                         f"\tfor <{me_addr}>; {date}")
            if rng.random() < 0.7:
                sig = b64(256)
                h.append(f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={sdom}; s=s{rng.randrange(2020, 2024)};\n"
                         f"\tt={t}; h=from:to:cc:subject:date:message-id:mime-version;\n"
                         f"\tbh={b64(32)};\n\tb=" + "\n\t ".join(sig[i:i + 72] for i in range(0, len(sig), 72)))
                h.append(f"Authentication-Results: mx.{me_domain};\n\tdkim=pass header.d={sdom};\n\tspf=pass smtp.mailfrom={sdom}")
            h.append(f"From: {display(*sender)}")
            h.append("To: " + ", ".join(display(*p) for p in to))
            if cc:
                h.append("Cc: " + ", ".join(display(*p) for p in cc))
            h.append(f"Subject: {subj}")
            h.append(f"Date: {date}")
            if rng.random() < 0.995:  # a few messages lack a Message-ID
                h.append(f"Message-ID: <{rng.getrandbits(64):016x}.{t}@{sdom}>")
            if reply:
                h.append(f"In-Reply-To: {parent}")
                h.append(f"References: {parent}")
            h.extend(extra)
            h.append("MIME-Version: 1.0")
            h.append("Content-Type: text/plain; charset=us-ascii")
            text = body(rng.randint(1, 8)) + "\n"
            folder = inbox_cur
            counts["inbox"] += 1
            if not seen:
                counts["unseen"] += 1
        for line in h:
            if line.startswith("Message-ID: "):
                recent_ids.append(line[12:])
                if len(recent_ids) > 200:
                    del recent_ids[:100]
                break
        data = ("\n".join(h) + "\n\n" + text).encode("utf-8")
        size = len(data)
        vsize = size + data.count(b"\n")
        name = f"{t}.M{n}P{args.seed}.kithgen,S={size},W={vsize}:2,{'S' if seen else ''}"
        path = os.path.join(folder, name)
        fd = os.open(path, flags_o, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
        os.utime(path, (t, t))
        total_bytes += size

    print(json.dumps({"messages": args.messages, "inbox": counts["inbox"], "sent": counts["sent"],
                      "wrote_to": len(wrote_to), "two_way": len(wrote_to & wrote_me),
                      "list": counts["list"], "noreply": counts["noreply"], "unseen": counts["unseen"],
                      "bytes": total_bytes, "seconds": round(time.perf_counter() - t0, 3)}))


if __name__ == "__main__":
    main()
