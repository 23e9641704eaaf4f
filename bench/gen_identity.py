#!/usr/bin/env python3
"""A labelled identity set: N people spread over a LinkedIn Connections.csv,
a phone's contacts.vcf and a Google Contacts CSV, the way one person's
contacts really overlap, with the cases that fool matchers planted in known
numbers. Writes the three files and labels.json, which maps every record
("file:line", the line its record starts on, as kith's sources name it) to
the true person it stands for.

    python3 bench/gen_identity.py --people 250 --seed 7 --out DIR

What varies from source to source, as in real exports:
- LinkedIn has the formal given name, the profile URL, the current
  employer, and an email for about one connection in seven;
- the phone has the name the user knows them by (a nickname for one in
  four who have one), the mobile written nationally or with +1, a personal
  email for most, sometimes an employer they have since left, and for one
  in ten the LinkedIn profile URL;
- Google has the work or personal email, sometimes the mobile, the
  employer and title.

Planted (each counted in labels.json's "planted"):
- an office switchboard: several people at one company whose only number
  in Google is the front desk's;
- couples sharing one family email on the phone;
- namesakes: two different people with the same name at different
  companies;
- a married name: the phone has the maiden name, Google the married one,
  the personal email in both;
- a typo in the given name on the phone ("Jonh"), the mobile in both;
- someone who changed jobs: the phone has the old employer and a personal
  email, LinkedIn the new one and no email.
"""
import argparse
import csv
import io
import json
import os
import random

GIVEN = [
    ("Robert", "Bob"), ("William", "Bill"), ("Richard", "Rick"), ("James", "Jim"),
    ("Michael", "Mike"), ("Thomas", "Tom"), ("David", "Dave"), ("Daniel", "Dan"),
    ("Christopher", "Chris"), ("Alexander", "Alex"), ("Nicholas", "Nick"),
    ("Joseph", "Joe"), ("Samuel", "Sam"), ("Elizabeth", "Liz"), ("Katherine", "Kate"),
    ("Margaret", "Maggie"), ("Jennifer", "Jen"), ("Rebecca", "Becky"),
    ("Patricia", "Pat"), ("Susan", "Sue"),
    ("Ada", None), ("Grace", None), ("Emma", None), ("Olivia", None), ("Sofia", None),
    ("Chloé", None), ("Zoë", None), ("Léa", None), ("Noah", None), ("Liam", None),
    ("Mateo", None), ("José", None), ("Hiroshi", None), ("Wei", None), ("Priya", None),
    ("Arjun", None), ("Fatima", None), ("Omar", None), ("Ingrid", None), ("Lars", None),
    ("Mei", None), ("Aisha", None), ("Diego", None), ("Yuki", None), ("Hannah", None),
    ("Lucas", None), ("Mia", None), ("Ethan", None), ("Nora", None), ("Felix", None),
]
FAMILY = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
    "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
    "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
    "Carter", "Roberts", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer",
    "Wagner", "Becker", "Schulz", "Hoffmann", "Dubois", "Moreau", "Laurent", "Lefèvre",
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Tanaka", "Suzuki",
    "Watanabe", "Takahashi", "Sato", "Kim", "Park", "Choi", "Chen", "Wang", "Zhang",
    "Liu", "Yang", "Huang", "Patel", "Sharma", "Singh", "Kumar", "Gupta", "Khan",
    "Ali", "Hansen", "Johansen", "Larsen", "Andersen", "Nielsen", "O'Brien", "Murphy",
    "Kelly", "Walsh", "Novak", "Horvat", "Kowalski", "Nowak", "Wiśniewski", "Silva",
    "Santos", "Oliveira", "Costa", "Pereira", "Ivanov", "Petrov", "Popescu", "Yilmaz",
]
COMPANIES = [
    ("Acme Corp", "acme.com"), ("Globex", "globex.com"), ("Initech", "initech.com"),
    ("Umbrella Health", "umbrella-health.com"), ("Hooli", "hooli.com"),
    ("Stark Industries", "stark.com"), ("Wayne Enterprises", "wayne.com"),
    ("Kestrel Aviation", "kestrel-aviation.com"), ("Northwind Traders", "northwind.com"),
    ("Contoso", "contoso.com"), ("Fabrikam", "fabrikam.com"), ("Tailspin Toys", "tailspin.com"),
    ("Wingtip Systems", "wingtip.io"), ("Blue Yonder Air", "blueyonder.aero"),
    ("Litware", "litware.com"), ("Proseware", "proseware.com"), ("Adatum", "adatum.com"),
    ("Fourth Coffee", "fourthcoffee.com"), ("Lamna Health", "lamna.org"),
    ("Margie's Travel", "margies.travel"), ("Trey Research", "treyresearch.net"),
    ("Woodgrove Bank", "woodgrove.bank"), ("Coho Winery", "cohowinery.com"),
    ("Alpine Ski House", "alpineski.house"), ("Relecloud", "relecloud.com"),
    ("Datum Analytics", "datum.ai"), ("Meridian Labs", "meridianlabs.com"),
    ("Pinnacle Partners", "pinnacle.partners"), ("Sable Robotics", "sable.dev"),
    ("Orbit Logistics", "orbitlog.com"),
]
TITLES = [
    "Engineer", "Senior Engineer", "Engineering Manager", "Product Manager", "Designer",
    "Data Scientist", "Account Executive", "Sales Director", "Recruiter", "CTO", "CFO",
    "Founder", "Consultant", "Marketing Lead", "Operations Manager", "Analyst",
]
PERSONAL = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "fastmail.com"]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
SWITCHBOARD = "+1 212 555 0100"


def ascii_fold(s):
    table = str.maketrans("éëèêüöäçñłśńóíáàôîïøå'", "eeeeuoacnlsnoiaaoiioa ")
    return s.translate(table).lower().replace(" ", "")


USED_EMAILS = set()


def unique(email):
    """A mailbox is one person's (family ones are planted apart): a taken
    address gets a number."""
    local, domain = email.split("@")
    n = 2
    while email in USED_EMAILS:
        email = f"{local}{n}@{domain}"
        n += 1
    USED_EMAILS.add(email)
    return email


class Person:
    pass


def make_people(rng, n):
    people = []
    used_mobiles = set()

    for i in range(n):
        p = Person()
        p.id = f"p{i:04d}"
        p.given, p.nick = rng.choice(GIVEN)
        p.family = rng.choice(FAMILY)
        p.company, p.domain = rng.choice(COMPANIES)
        p.title = rng.choice(TITLES)
        p.past = rng.choice(COMPANIES)[0] if rng.random() < 0.3 else None
        if p.past == p.company:
            p.past = None
        g, f = ascii_fold(p.given), ascii_fold(p.family)
        p.personal = (unique(f"{g}.{f}{rng.randint(1, 99)}@{rng.choice(PERSONAL)}")
                      if rng.random() < 0.85 else None)
        p.work = unique(f"{g[0]}{f}@{p.domain}") if rng.random() < 0.8 else None
        while True:
            area = rng.choice(["415", "650", "212", "646", "312", "617", "206", "512"])
            mobile = f"{area}{rng.randint(2, 9)}{rng.randint(0, 99):02d}{rng.randint(0, 9999):04d}"
            if mobile not in used_mobiles:
                used_mobiles.add(mobile)
                break
        p.mobile = mobile if rng.random() < 0.9 else None
        p.slug = f"{g}-{f}-{rng.randint(100, 999)}"
        # Where they appear.
        p.on_linkedin = rng.random() < 0.75
        p.on_phone = rng.random() < 0.6
        p.on_google = rng.random() < 0.5
        if not (p.on_linkedin or p.on_phone or p.on_google):
            p.on_phone = True
        # What each source says (planted cases change these below).
        p.phone_given, p.phone_family = p.given, p.family
        if p.nick and rng.random() < 0.25:
            p.phone_given = p.nick
        p.phone_org = (p.company if rng.random() < 0.7 else (p.past if p.past and rng.random() < 0.5 else ""))
        p.phone_email = p.personal if rng.random() < 0.7 else None
        p.phone_url = rng.random() < 0.1
        p.linkedin_email = (p.work or p.personal) if rng.random() < 0.15 else None
        p.google_family = p.family
        p.google_email = (p.work if rng.random() < 0.6 else p.personal) or p.personal or p.work
        p.google_phone = p.mobile if rng.random() < 0.5 else None
        p.phone_mobile = p.mobile
        p.phone_format = rng.random() < 0.5
        people.append(p)
    return people


def plant(rng, people):
    """The hard cases, on people chosen at random (each person at most one)."""
    free = list(people)
    rng.shuffle(free)
    planted = {}

    def take(k):
        out, rest = free[:k], free[k:]
        free[:] = rest
        return out

    # An office switchboard: in Google, their only number is the front desk's.
    office = take(8)
    for p in office:
        p.company, p.domain = "Northwind Traders", "northwind.com"
        p.on_google = True
        p.google_phone = SWITCHBOARD
        p.google_email = None
    planted["switchboard"] = [p.id for p in office]
    # Couples sharing one family email on the phone (their only email there).
    couples = []
    for _ in range(5):
        a, b = take(2)
        if b.given == a.given:
            b.given, b.nick = ("Hannah", None) if a.given != "Hannah" else ("Felix", None)
        b.family = b.phone_family = b.google_family = a.family
        b.phone_given = b.given
        shared = f"the{ascii_fold(a.family)}s@{rng.choice(PERSONAL)}"
        for p in (a, b):
            p.on_phone = True
            p.phone_email = shared
        couples.append([a.id, b.id])
    planted["family email"] = couples
    # Namesakes: same name, different people, different employers.
    pairs = []
    for _ in range(6):
        a, b = take(2)
        b.given, b.nick, b.family = a.given, a.nick, a.family
        b.phone_given, b.phone_family, b.google_family = a.phone_given, a.family, a.family
        if b.company == a.company:
            b.company, b.domain = "Sable Robotics", "sable.dev"
            if a.company == b.company:
                b.company, b.domain = "Orbit Logistics", "orbitlog.com"
        g, f = ascii_fold(b.given), ascii_fold(b.family)
        b.personal = unique(f"{g}{f}{rng.randint(100, 999)}@{rng.choice(PERSONAL)}")
        b.work = unique(f"{g[0]}{f}@{b.domain}")
        b.slug = f"{g}-{f}-{rng.randint(1000, 9999)}"
        b.phone_email = b.personal
        b.google_email = b.work
        pairs.append([a.id, b.id])
    planted["namesakes"] = pairs
    # A married name: the phone has the maiden name, Google the married one.
    married = take(3)
    for p in married:
        p.on_phone = p.on_google = True
        p.personal = p.personal or unique(f"{ascii_fold(p.given)}.{ascii_fold(p.family)}@gmail.com")
        p.phone_email = p.google_email = p.personal
        p.phone_family = rng.choice([f for f in FAMILY if f != p.family])
    planted["married name"] = [p.id for p in married]
    # A typo in the given name on the phone; the mobile in both.
    typos = take(3)
    for p in typos:
        p.on_phone = p.on_google = True
        p.mobile = p.mobile or "6175550199"
        p.phone_mobile = p.google_phone = p.mobile
        g = p.given
        p.phone_given = g[:-2] + g[-1] + g[-2] if len(g) > 3 else g + g[-1]
    planted["given-name typo"] = [p.id for p in typos]
    # Changed jobs: the phone has the old employer and a personal email,
    # LinkedIn the new one and no email; nothing strong in common.
    movers = take(6)
    for p in movers:
        p.on_phone = p.on_linkedin = True
        p.on_google = False
        p.past = p.past or rng.choice([c for c, _ in COMPANIES if c != p.company])
        p.phone_org = p.past
        p.phone_url = False
        p.personal = p.personal or unique(f"{ascii_fold(p.given)}{rng.randint(1, 99)}@gmail.com")
        p.phone_email = p.personal
        p.linkedin_email = None
    planted["changed jobs"] = [p.id for p in movers]
    return planted


def national(m):
    return f"({m[:3]}) {m[3:6]}-{m[6:]}"


def write_linkedin(rng, people, path, labels, attrs):
    out = io.StringIO()
    out.write("Notes:\r\n")
    out.write('"When exporting your connection data, you may notice that some of the email '
              'addresses are missing."\r\n\r\n')
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
    line = 5
    for p in people:
        if not p.on_linkedin:
            continue
        w.writerow([p.given, p.family, f"https://www.linkedin.com/in/{p.slug}",
                    p.linkedin_email or "", p.company, p.title,
                    f"{rng.randint(1, 28):02d} {rng.choice(MONTHS)} {rng.randint(2012, 2025)}"])
        labels[f"{os.path.basename(path)}:{line}"] = p.id
        attrs[f"{os.path.basename(path)}:{line}"] = [f"{p.given} {p.family}", [p.linkedin_email or ""], []]
        line += 1
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def write_vcards(people, path, labels, attrs):
    lines = []
    for p in people:
        if not p.on_phone:
            continue
        labels[f"{os.path.basename(path)}:{len(lines) + 1}"] = p.id
        attrs[f"{os.path.basename(path)}:{len(lines) + 1}"] = [
            f"{p.phone_given} {p.phone_family}", [p.phone_email or ""], [p.phone_mobile or ""]]
        lines += ["BEGIN:VCARD", "VERSION:3.0",
                  f"FN:{p.phone_given} {p.phone_family}",
                  f"N:{p.phone_family};{p.phone_given};;;"]
        if p.phone_mobile:
            tel = national(p.phone_mobile) if p.phone_format else f"+1 {p.phone_mobile[:3]}-{p.phone_mobile[3:6]}-{p.phone_mobile[6:]}"
            lines.append(f"TEL;TYPE=CELL:{tel}")
        if p.phone_email:
            lines.append(f"EMAIL;TYPE=HOME:{p.phone_email}")
        if p.phone_org:
            lines.append(f"ORG:{p.phone_org}")
        if p.phone_url:
            lines.append(f"URL:https://linkedin.com/in/{p.slug}/")
        lines.append("END:VCARD")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")


def write_google(people, path, labels, attrs):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["First Name", "Middle Name", "Last Name", "Nickname", "Organization Name",
                "Organization Title", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
                "Phone 1 - Label", "Phone 1 - Value"])
    line = 2
    for p in people:
        if not p.on_google:
            continue
        phone = p.google_phone
        if phone and phone != SWITCHBOARD:
            phone = national(phone)
        w.writerow([p.given, "", p.google_family, "", p.company, p.title, "* myContacts",
                    "Work" if p.google_email and p.google_email == p.work else "Home",
                    p.google_email or "", "Work" if phone == SWITCHBOARD else "Mobile", phone or ""])
        labels[f"{os.path.basename(path)}:{line}"] = p.id
        attrs[f"{os.path.basename(path)}:{line}"] = [
            f"{p.given} {p.google_family}", [p.google_email or ""],
            ["".join(c for c in (p.google_phone or "") if c.isdigit())[-10:]]]
        line += 1
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(out.getvalue())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=250)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    people = make_people(rng, a.people)
    planted = plant(rng, people)
    os.makedirs(a.out, exist_ok=True)
    labels, attrs = {}, {}
    files = [os.path.join(a.out, n) for n in ("Connections.csv", "contacts.vcf", "google.csv")]
    write_linkedin(rng, people, files[0], labels, attrs)
    write_vcards(people, files[1], labels, attrs)
    write_google(people, files[2], labels, attrs)
    with open(os.path.join(a.out, "labels.json"), "w") as f:
        json.dump({"people": a.people, "seed": a.seed, "records": labels, "planted": planted,
                   # What each record says (name, emails, phones), for the
                   # baseline of identity_eval.py.
                   "attributes": attrs}, f, indent=1)
    print(" ".join(files))


if __name__ == "__main__":
    main()
