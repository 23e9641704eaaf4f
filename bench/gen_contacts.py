#!/usr/bin/env python3
"""Seeded generator of a realistic address book for kith benchmarks and tests.

Writes two files into --out:

* ``contacts.vcf``: vCard 3.0 (CRLF, lines folded at 75 octets), in the style
  of phone and mail-client exports: several EMAIL/TEL with TYPE parameters,
  phones in national and international formats, ORG, TITLE, ADR, BDAY, URL,
  NOTE, CATEGORIES, X- properties, Apple ``itemN.`` groups with X-ABLabel,
  UID on most cards, names from many cultures (accents, CJK, Cyrillic).
* ``Connections.csv``: a LinkedIn export (``Notes:`` preamble, 7 columns,
  ``DD Mon YYYY`` dates, mostly empty emails).

Planted duplicates (the same seed always gives the same files):

* exact duplicates (~3% of cards): a copy of another card of the same file
  with another UID and one extra phone; kith should merge them on import;
* near duplicates (~2% of cards): the same person under a nickname form of the
  given name (Robert -> Bob), same family name and organisation, but no shared
  email, phone, URL or UID; kith should only *suggest* these;
* LinkedIn overlap (~30% of connections): the same person as a vCard, linked
  by the LinkedIn profile slug on the card's URL (in varied URL spellings) or,
  when the card has no LinkedIn URL, by one of the card's emails.

Everything else is distinct people; emails, phones and slugs are unique across
distinct people, while names are drawn from a few hundred given and family
names, so homonyms (different people, same name) are common and must not be
merged.

Only the standard library is used; randomness comes from ``random.Random(seed)``.
A JSON summary is printed to stdout.
"""

import argparse
import csv
import datetime
import json
import os
import random
import sys
import time
import unicodedata
import uuid
from urllib.parse import quote
from collections import Counter

# ---------------------------------------------------------------------------
# Name data. "native|roman" entries give the native script and a romanisation;
# plain entries are Latin script (possibly accented).
# ---------------------------------------------------------------------------

CULTURES = [
    dict(key="en", weight=30, countries=[("US", 75), ("GB", 25)],
         m="James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
           "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
           "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin "
           "Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank Raymond Jack Dennis Jerry",
         f="Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty "
           "Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah "
           "Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma "
           "Nicole Helen Samantha Katherine Christine Debra Rachel Catherine Carolyn Janet Ruth Victoria Olivia",
         fam="Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin "
             "Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill "
             "Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards "
             "Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard "
             "Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Sanders Myers Long Ross Foster "
             "O'Brien O'Connor McAllister"),
    dict(key="es", weight=10, countries=[("MX", 40), ("ES", 35), ("US", 25)],
         m="José Juan Luis Carlos Jorge Miguel Alejandro Francisco Javier Manuel Antonio Pedro Diego "
           "Andrés Fernando Rafael Sergio Ricardo Pablo Raúl",
         f="María Ana Carmen Lucía Sofía Isabel Elena Laura Paula Marta Gabriela Valentina Camila "
           "Daniela Ximena Guadalupe Rocío Inés Beatriz Verónica",
         fam="García Rodríguez Martínez Hernández López González Pérez Sánchez Ramírez Torres Flores "
             "Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Jiménez Ruiz Álvarez Castillo Romero "
             "Vargas Herrera Medina Castro Núñez Domínguez"),
    dict(key="pt", weight=4, countries=[("BR", 85), ("US", 15)],
         m="João Pedro Lucas Gabriel Rafael Gustavo Felipe Thiago Bruno Rodrigo",
         f="Ana Beatriz Juliana Fernanda Letícia Mariana Larissa Camila Patrícia Luíza",
         fam="Silva Santos Oliveira Souza Pereira Costa Rodrigues Almeida Nascimento Lima Araújo "
             "Fernandes Carvalho Gomes Ribeiro Conceição"),
    dict(key="fr", weight=6, countries=[("FR", 90), ("US", 10)],
         m="Jean Pierre Michel Philippe Alain Nicolas François Laurent Julien Sébastien Thomas Antoine "
           "Étienne Benoît Jérôme Olivier Luc Mathieu Hugo Théo",
         f="Marie Nathalie Isabelle Sylvie Catherine Françoise Céline Sandrine Aurélie Camille Chloé "
           "Léa Manon Émilie Hélène Geneviève Margaux Inès Océane Zoé",
         fam="Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
             "Lefèvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefebvre "
             "Mercier Dupont Lambert Bonnet François Fontaine Rousseau Faure"),
    dict(key="de", weight=6, countries=[("DE", 90), ("US", 10)],
         m="Lukas Jonas Leon Felix Maximilian Paul Elias Johannes Wolfgang Klaus Jürgen Stefan Andreas "
           "Thomas Michael Matthias Sebastian Tobias Florian Dieter",
         f="Anna Lena Leonie Hannah Sophie Katharina Julia Laura Sabine Ursula Monika Petra Claudia "
           "Birgit Jutta Susanne Anja Jana Lea Mia",
         fam="Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
             "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann "
             "Lange Schmitt Werner Krause Meier Lehmann Weiß Groß"),
    dict(key="it", weight=4, countries=[("IT", 90), ("US", 10)],
         m="Giuseppe Giovanni Antonio Mario Luigi Francesco Angelo Vincenzo Pietro Salvatore Marco "
           "Alessandro Lorenzo Matteo Davide",
         f="Giulia Francesca Chiara Sara Martina Alessia Federica Elisa Valentina Silvia Giorgia "
           "Ilaria Beatrice Paola Roberta",
         fam="Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti "
             "De_Luca Mancini Costa Giordano Rizzo Lombardi Moretti D'Angelo"),
    dict(key="nord", weight=3, countries=[("SE", 100)],
         m="Lars Erik Anders Johan Nils Øyvind Bjørn Magnus Henrik Jens Mikael Åke",
         f="Ingrid Astrid Sigrid Kari Maja Elin Freja Linnéa Åsa Märta Solveig Karin",
         fam="Hansen Johansen Olsen Larsen Andersen Pedersen Nilsson Lindqvist Karlsson Eriksson "
             "Jørgensen Søndergaard Håkansson Bergström Lindström Ødegård"),
    dict(key="pl", weight=3, countries=[("PL", 85), ("GB", 15)],
         m="Piotr Krzysztof Andrzej Tomasz Paweł Michał Marcin Łukasz Jakub Grzegorz",
         f="Anna Katarzyna Małgorzata Agnieszka Barbara Ewa Magdalena Joanna Żaneta Zofia",
         fam="Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański "
             "Woźniak Dąbrowski Kozłowski"),
    dict(key="in", weight=10, countries=[("IN", 70), ("US", 30)],
         m="Aarav Vihaan Arjun Rohan Rahul Amit Sanjay Vikram Raj Anil Sunil Deepak Karthik Pranav "
           "Siddharth Arun Ravi Manoj Nikhil Aditya",
         f="Priya Ananya Aishwarya Divya Pooja Neha Sneha Kavya Lakshmi Meera Anjali Deepika Shreya "
           "Swati Nisha Radha Sunita Kavitha Ritu Isha",
         fam="Sharma Patel Singh Kumar Gupta Reddy Iyer Nair Rao Mehta Shah Joshi Desai Kapoor Verma "
             "Agarwal Banerjee Chatterjee Mukherjee Pillai Menon Krishnan Das Bose Malhotra"),
    dict(key="zh", weight=7, countries=[("CN", 60), ("US", 40)], native=0.6,
         m="伟|Wei 强|Qiang 磊|Lei 军|Jun 洋|Yang 勇|Yong 杰|Jie 涛|Tao 明|Ming 超|Chao 志强|Zhiqiang "
           "建华|Jianhua 浩然|Haoran 子轩|Zixuan",
         f="芳|Fang 娜|Na 敏|Min 静|Jing 丽|Li 艳|Yan 秀英|Xiuying 婷|Ting 雪|Xue 慧|Hui 欣怡|Xinyi "
           "梓涵|Zihan 晓燕|Xiaoyan 美玲|Meiling",
         fam="王|Wang 李|Li 张|Zhang 刘|Liu 陈|Chen 杨|Yang 黄|Huang 赵|Zhao 吴|Wu 周|Zhou 徐|Xu 孙|Sun "
             "马|Ma 朱|Zhu 胡|Hu 郭|Guo 何|He 林|Lin 高|Gao 罗|Luo"),
    dict(key="ja", weight=4, countries=[("JP", 85), ("US", 15)], native=0.6,
         m="翔|Sho 大輔|Daisuke 健太|Kenta 拓也|Takuya 直樹|Naoki 浩|Hiroshi 誠|Makoto 蓮|Ren "
           "悠真|Yuma 和也|Kazuya",
         f="陽子|Yoko 花子|Hanako 美咲|Misaki 由美|Yumi 恵|Megumi さくら|Sakura 愛|Ai 結衣|Yui "
           "真由美|Mayumi 明美|Akemi",
         fam="佐藤|Sato 鈴木|Suzuki 高橋|Takahashi 田中|Tanaka 伊藤|Ito 渡辺|Watanabe 山本|Yamamoto "
             "中村|Nakamura 小林|Kobayashi 加藤|Kato 吉田|Yoshida 山田|Yamada 佐々木|Sasaki "
             "松本|Matsumoto 井上|Inoue"),
    dict(key="ko", weight=3, countries=[("KR", 80), ("US", 20)], native=0.5,
         m="민준|Min-jun 서준|Seo-jun 지훈|Ji-hoon 현우|Hyun-woo 성민|Sung-min 동현|Dong-hyun 준호|Jun-ho",
         f="서연|Seo-yeon 지우|Ji-woo 민지|Min-ji 수빈|Su-bin 하은|Ha-eun 지영|Ji-young 은지|Eun-ji",
         fam="김|Kim 이|Lee 박|Park 최|Choi 정|Jung 강|Kang 조|Cho 윤|Yoon 장|Jang 임|Lim"),
    dict(key="vi", weight=2, countries=[("VN", 60), ("US", 40)], native=0.5,
         m="Minh Huy Khoa Tuấn Dũng Long Quang Hùng",
         f="Linh Trang Hương Lan Thảo Ngọc Mai Hà",
         fam="Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Đặng Bùi"),
    dict(key="ar", weight=4, countries=[("AE", 60), ("GB", 40)],
         m="Mohammed Ahmed Ali Omar Hassan Youssef Khalid Ibrahim Tariq Karim Samir Rami",
         f="Fatima Aisha Layla Mariam Noor Yasmin Salma Huda Rania Zainab",
         fam="Al-Sayed Haddad Khoury Mansour Nasser Saleh Hamdan Farouk El-Amin Rahman Aziz Hakim "
             "Abboud Qureshi"),
    dict(key="ng", weight=3, countries=[("NG", 70), ("GB", 30)],
         m="Chinedu Emeka Oluwaseun Tunde Kwame Kofi Babajide Ifeanyi Obinna Yaw",
         f="Ngozi Chiamaka Adaeze Funmilayo Amara Abena Yetunde Folake Nneka Efua",
         fam="Okafor Adeyemi Okonkwo Balogun Eze Mensah Owusu Nwosu Adebayo Ogunleye Boateng Asante"),
    dict(key="ru", weight=3, countries=[("RU", 75), ("DE", 25)], native=0.5,
         m="Александр|Alexander Дмитрий|Dmitry Сергей|Sergey Андрей|Andrey Алексей|Alexey Иван|Ivan "
           "Михаил|Mikhail Николай|Nikolay",
         f="Елена|Elena Ольга|Olga Наталья|Natalia Татьяна|Tatiana Анна|Anna Мария|Maria Ирина|Irina "
           "Екатерина|Ekaterina",
         fam="Иванов|Ivanov Смирнов|Smirnov Кузнецов|Kuznetsov Попов|Popov Волков|Volkov "
             "Соколов|Sokolov Лебедев|Lebedev Козлов|Kozlov Новиков|Novikov Морозов|Morozov"),
]

# Nickname forms for near duplicates (formal -> informal forms).
NICKNAMES = {
    "Robert": ["Bob", "Rob", "Bobby"], "William": ["Bill", "Will", "Billy"], "Richard": ["Rick", "Dick", "Rich"],
    "Michael": ["Mike"], "James": ["Jim", "Jimmy"], "John": ["Johnny"], "Thomas": ["Tom", "Tommy"],
    "Christopher": ["Chris"], "Daniel": ["Dan", "Danny"], "Matthew": ["Matt"], "Anthony": ["Tony"],
    "Joseph": ["Joe"], "Andrew": ["Andy", "Drew"], "Joshua": ["Josh"], "Kenneth": ["Ken", "Kenny"],
    "Timothy": ["Tim"], "Ronald": ["Ron"], "Edward": ["Ed", "Ted", "Eddie"], "Jeffrey": ["Jeff"],
    "Jacob": ["Jake"], "Nicholas": ["Nick"], "Jonathan": ["Jon"], "Stephen": ["Steve"], "Steven": ["Steve"],
    "Benjamin": ["Ben"], "Samuel": ["Sam"], "Gregory": ["Greg"], "Alexander": ["Alex"], "Patrick": ["Pat"],
    "Frank": ["Frankie"], "Raymond": ["Ray"], "Donald": ["Don"], "Gary": ["Gaz"], "Dennis": ["Denny"],
    "Gerald": ["Jerry"], "Lawrence": ["Larry"], "David": ["Dave"], "Charles": ["Charlie", "Chuck"],
    "Elizabeth": ["Liz", "Beth", "Betsy"], "Patricia": ["Pat", "Trish"], "Jennifer": ["Jen", "Jenny"],
    "Margaret": ["Maggie", "Peggy"], "Katherine": ["Kate", "Kathy"], "Catherine": ["Cathy", "Kate"],
    "Kathleen": ["Kathy"], "Deborah": ["Debbie", "Deb"], "Debra": ["Debbie"], "Rebecca": ["Becky"],
    "Susan": ["Sue", "Susie"], "Victoria": ["Vicky", "Tori"], "Samantha": ["Sam"], "Pamela": ["Pam"],
    "Jessica": ["Jess"], "Kimberly": ["Kim"], "Stephanie": ["Steph"], "Christine": ["Chris"],
    "Cynthia": ["Cindy"], "Dorothy": ["Dot"], "Barbara": ["Barb"], "Amanda": ["Mandy"], "Melissa": ["Missy"],
    "Alejandro": ["Alex"], "Francisco": ["Paco", "Pancho"], "José": ["Pepe"], "Guadalupe": ["Lupe"],
    "Manuel": ["Manolo"], "Antonio": ["Toño"], "Ricardo": ["Ricky"], "Fernando": ["Nando"],
    "Johannes": ["Hans"], "Maximilian": ["Max"], "Katharina": ["Kathi"], "Wolfgang": ["Wolf"],
    "Giuseppe": ["Beppe", "Peppe"], "Alessandro": ["Sandro"], "Francesco": ["Franco"],
    "Gabriel": ["Gabi"], "Sebastian": ["Basti"], "Sébastien": ["Seb"], "Nicolas": ["Nico"],
    "Nikhil": ["Nik"], "Siddharth": ["Sid"], "Aishwarya": ["Aish"],
}

COMPANY_FIXED = [
    ("Acme, Inc.", "acme.com"), ("Globex Corporation", "globex.com"), ("Initech", "initech.com"),
    ("Umbrella Corp", "umbrella-corp.com"), ("Stark Industries", "starkindustries.com"),
    ("Wayne Enterprises", "wayne-ent.com"), ("Hooli", "hooli.xyz"), ("Pied Piper", "piedpiper.com"),
    ("Soylent", "soylent.io"), ("Cyberdyne Systems", "cyberdyne.com"), ("Wonka Industries", "wonka.co.uk"),
    ("Tyrell Corporation", "tyrell.com"), ("Massive Dynamic", "massivedynamic.com"),
    ("Aperture Science", "aperture.com"), ("Vandelay Industries", "vandelay.com"),
    ("Müller & Söhne GmbH", "mueller-soehne.de"), ("Lumière Conseil SAS", "lumiere-conseil.fr"),
    ("Café Olé S.A. de C.V.", "cafeole.mx"), ("株式会社山田製作所", "yamada-ss.co.jp"),
    ("北京星辰科技有限公司", "xingchen-tech.cn"), ("Nørdisk Design AB", "nordisk-design.se"),
    ("Tata Consulting Partners", "tcp-india.in"), ("Lagos Fintech, Ltd.", "lagosfintech.ng"),
]
COMPANY_A = ("Blue Red Green Silver Golden North South East West Bright Quantum Atlas Apex Summit Pioneer "
             "Vertex Nimbus Cedar Maple Oak River Harbor Iron Stone Crystal Lunar Solar Nova Stellar Orbit "
             "Prime Velocity Horizon Beacon Falcon Eagle Lion Tiger Phoenix Delta Sigma Omega Alpha Zenith "
             "Cobalt Ember Granite Willow Aspen Coral Sierra Everest Pacific Atlantic Meridian Keystone "
             "Lighthouse Catalyst Fusion Insight").split()
COMPANY_B = ("Analytics Systems Labs Works Dynamics Networks Solutions Partners Capital Ventures Health "
             "Robotics Software Logistics Energy Foods Media Studios Consulting Bank Insurance Pharma "
             "Biotech Security Cloud Data Learning Motors Aerospace Retail Realty Games").split()
COMPANY_SUFFIX = ["", "", "", " Inc.", ", Inc.", " LLC", " Ltd", " GmbH", " S.A.", " AG", " Group", " Co.",
                  " Corp.", " plc", " B.V."]
TLDS = [".com", ".com", ".com", ".io", ".co", ".net", ".ai", ".de", ".fr", ".co.uk"]
DEPARTMENTS = ["Engineering", "Sales", "Marketing", "Finance", "Human Resources", "Legal", "Research",
               "Operations", "Product", "Customer Success", "IT", "Design"]
TITLES = ["Software Engineer", "Senior Software Engineer", "Staff Engineer", "Engineering Manager",
          "Product Manager", "Senior Product Manager", "Designer", "UX Researcher", "Data Scientist",
          "Data Engineer", "CTO", "CEO", "Co-founder", "Founder & CEO", "VP, Sales", "VP of Engineering",
          "Account Executive", "Sales Manager", "Marketing Manager", "Recruiter", "Talent Partner",
          "HR Business Partner", "Financial Analyst", "CFO", "Controller", "Consultant", "Senior Consultant",
          "Partner", "Associate", "Principal", "Director of Operations", "Operations Manager",
          "Customer Success Manager", "Solutions Architect", "DevOps Engineer", "Security Engineer",
          "Research Scientist", "Professor", "Lawyer", "Attorney", "Physician", "Architect",
          "Teacher", "Journalist", "Investor", "Head of \"Special Projects\"", "Ingénieur logiciel",
          "Geschäftsführer", "ソフトウェアエンジニア", "产品经理"]
CATEGORIES = ["Work", "Friends", "Family", "Clients", "Investors", "Recruiters", "Conference 2023",
              "Conference 2024", "Alumni", "Neighbours", "Suppliers", "Mentors", "Book club", "VIP"]
NOTE_SENTENCES = [
    "Met at the product conference in Berlin.", "Introduced by a former colleague.",
    "Interested in distributed systems and databases.", "Has two kids; loves hiking.",
    "Follow up about the partnership proposal in Q3.", "Prefers email over phone calls.",
    "We worked together on the billing migration, which took most of 2019.",
    "Great contact for hiring senior engineers, knows everyone in the Bay Area.",
    "Met at the café in München; talked about coffee, cycling and open source.",
    "Asked for an introduction to someone at a climate-tech fund.",
    "Speaks French, Spanish and a little Japanese.", "Birthday dinner every March.",
    "Vegetarian. Allergic to nuts.", "Send the slides from the workshop.",
    "Owes me a book recommendation; I owe them a coffee.",
    "Moved from London to Lisbon last year, still on the same team.",
    "Board member at a local non-profit; might need volunteers.",
    "Call before 10am their time, they are very busy in the afternoon.",
    "会議で会った。", "Ему нравится шахматы.",
]
PERSONAL_DOMAINS = {
    "US": ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com",
           "aol.com", "proton.me"],
    "GB": ["gmail.com", "gmail.com", "hotmail.co.uk", "yahoo.co.uk", "btinternet.com", "outlook.com"],
    "DE": ["gmail.com", "gmx.de", "web.de", "t-online.de", "posteo.de"],
    "FR": ["gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr"],
    "ES": ["gmail.com", "hotmail.es", "yahoo.es", "telefonica.net"],
    "MX": ["gmail.com", "hotmail.com", "yahoo.com.mx", "outlook.com"],
    "BR": ["gmail.com", "uol.com.br", "bol.com.br", "hotmail.com"],
    "IT": ["gmail.com", "libero.it", "virgilio.it", "alice.it"],
    "SE": ["gmail.com", "telia.com", "hotmail.se", "outlook.com"],
    "PL": ["gmail.com", "wp.pl", "onet.pl", "o2.pl"],
    "IN": ["gmail.com", "gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com"],
    "CN": ["qq.com", "163.com", "126.com", "gmail.com", "sina.com"],
    "JP": ["gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com"],
    "KR": ["naver.com", "daum.net", "gmail.com", "kakao.com"],
    "VN": ["gmail.com", "yahoo.com.vn", "outlook.com"],
    "AE": ["gmail.com", "outlook.com", "yahoo.com", "eim.ae"],
    "NG": ["gmail.com", "yahoo.com", "outlook.com"],
    "RU": ["mail.ru", "yandex.ru", "gmail.com", "rambler.ru"],
}
COUNTRY_NAMES = {
    "US": ["USA", "United States", "United States of America"], "GB": ["United Kingdom", "UK"],
    "DE": ["Germany", "Deutschland"], "FR": ["France"], "ES": ["Spain", "España"], "MX": ["Mexico", "México"],
    "BR": ["Brazil", "Brasil"], "IT": ["Italy", "Italia"], "SE": ["Sweden", "Sverige"], "PL": ["Poland", "Polska"],
    "IN": ["India"], "CN": ["China", "中国"], "JP": ["Japan", "日本"], "KR": ["South Korea", "대한민국"],
    "VN": ["Vietnam", "Việt Nam"], "AE": ["United Arab Emirates", "UAE"], "NG": ["Nigeria"],
    "RU": ["Russia", "Россия"],
}
# (city, region, postal pattern: '#' digit, '@' capital letter)
CITIES = {
    "US": [("San Francisco", "CA", "941##"), ("New York", "NY", "100##"), ("Seattle", "WA", "981##"),
           ("Austin", "TX", "787##"), ("Chicago", "IL", "606##"), ("Boston", "MA", "021##"),
           ("Denver", "CO", "802##"), ("Atlanta", "GA", "303##")],
    "GB": [("London", "", "EC#@ #@@"), ("Manchester", "", "M# #@@"), ("Edinburgh", "", "EH# #@@")],
    "DE": [("Berlin", "", "10###"), ("München", "Bayern", "80###"), ("Hamburg", "", "20###"),
           ("Köln", "NRW", "50###")],
    "FR": [("Paris", "", "750##"), ("Lyon", "", "6900#"), ("Marseille", "", "130##"), ("Toulouse", "", "310##")],
    "ES": [("Madrid", "Madrid", "280##"), ("Barcelona", "Cataluña", "080##"), ("Sevilla", "Andalucía", "410##")],
    "MX": [("Ciudad de México", "CDMX", "0####"), ("Guadalajara", "Jalisco", "44###"),
           ("Monterrey", "N.L.", "64###")],
    "BR": [("São Paulo", "SP", "0####-###"), ("Rio de Janeiro", "RJ", "2####-###")],
    "IT": [("Roma", "RM", "001##"), ("Milano", "MI", "201##"), ("Torino", "TO", "101##")],
    "SE": [("Stockholm", "", "1## ##"), ("Göteborg", "", "4## ##"), ("Malmö", "", "2## ##")],
    "PL": [("Warszawa", "", "0#-###"), ("Kraków", "", "3#-###"), ("Wrocław", "", "5#-###")],
    "IN": [("Bengaluru", "Karnataka", "560###"), ("Mumbai", "Maharashtra", "400###"),
           ("New Delhi", "Delhi", "110###"), ("Hyderabad", "Telangana", "500###")],
    "CN": [("北京", "北京市", "100###"), ("上海", "上海市", "200###"), ("深圳", "广东省", "518###")],
    "JP": [("渋谷区", "東京都", "150-00##"), ("大阪市", "大阪府", "530-00##"), ("Minato-ku", "Tokyo", "105-00##")],
    "KR": [("서울", "", "0####"), ("부산", "", "4####")],
    "VN": [("Hà Nội", "", "1#####"), ("TP. Hồ Chí Minh", "", "7#####")],
    "AE": [("Dubai", "", ""), ("Abu Dhabi", "", "")],
    "NG": [("Lagos", "Lagos", "1#####"), ("Abuja", "FCT", "9#####")],
    "RU": [("Москва", "", "1#####"), ("Санкт-Петербург", "", "19####")],
}
STREET_NAMES = ["Oak", "Maple", "Market", "Mission", "High", "Station", "Park", "Church", "Mill", "Lake",
                "Hill", "King", "Queen", "Victoria", "Garden", "Bridge", "River", "Elm", "Cedar", "Sunset"]
LINKEDIN_NOTE = ('"When exporting your connection data, you may notice that some of the email addresses are '
                 'missing. You will only see email addresses for connections who have allowed their '
                 'connections to see or download their email address using this setting '
                 'https://www.linkedin.com/psettings/privacy/email. You can learn more here '
                 'https://www.linkedin.com/help/linkedin/answer/261"')
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
PRODIDS = ["-//Apple Inc.//iPhone OS 17.4//EN", "-//Apple Inc.//Mac OS X 14.3//EN",
           "-//Apple Inc.//iPhone OS 16.6//EN", "-//dmfs.org//mimedir.vcard//EN"]

SPECIAL_ASCII = {"ß": "ss", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "æ": "ae", "Æ": "AE", "đ": "d",
                 "Đ": "D", "œ": "oe"}


def asciify(s):
    """Latin transliteration for emails and slugs: strip accents, map a few letters."""
    s = "".join(SPECIAL_ASCII.get(c, c) for c in s)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c) and ord(c) < 128)


def parse_names(text):
    out = []
    for tok in text.split():
        tok = tok.replace("_", " ")
        if "|" in tok:
            native, roman = tok.split("|")
        else:
            native, roman = tok, asciify(tok)
        out.append((native, roman))
    return out


for _c in CULTURES:
    _c["m"] = parse_names(_c["m"])
    _c["f"] = parse_names(_c["f"])
    _c["fam"] = parse_names(_c["fam"])
    _c.setdefault("native", 1.0)
CULTURE_WEIGHTS = [c["weight"] for c in CULTURES]


def wchoice(rng, pairs):
    """Choose from [(value, weight)]."""
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for v, w in pairs:
        r -= w
        if r < 0:
            return v
    return pairs[-1][0]


def fill_pattern(rng, pat):
    out = []
    for ch in pat:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "@":
            out.append(chr(65 + rng.randrange(26)))
        else:
            out.append(ch)
    return "".join(out)


def digits(rng, n):
    return "".join(str(rng.randrange(10)) for _ in range(n))


# ---------------------------------------------------------------------------
# Phones: (display form, E.164 digits). Display forms mix national and
# international spellings, as phone address books do.
# ---------------------------------------------------------------------------

US_AREAS = ["212", "415", "646", "312", "617", "206", "512", "303", "213", "310", "404", "305", "202",
            "718", "917", "650", "408", "510", "773", "972"]


def phone_us(rng, mobile):
    a = rng.choice(US_AREAS)
    e = str(rng.randint(2, 9)) + digits(rng, 2)
    if e[1:] == "11" or e == "555":
        e = "234"
    line = digits(rng, 4)
    form = rng.randrange(8)
    disp = [f"+1 {a} {e} {line}", f"({a}) {e}-{line}", f"{a}-{e}-{line}", f"+1-{a}-{e}-{line}",
            f"{a}.{e}.{line}", f"+1 ({a}) {e}-{line}", f"+1{a}{e}{line}", f"1 ({a}) {e}-{line}"][form]
    return disp, "1" + a + e + line


def phone_gb(rng, mobile):
    if mobile:
        n = "7" + str(rng.randint(4, 9)) + digits(rng, 8)
        d = [f"+44 {n[:4]} {n[4:]}", f"0{n[:4]} {n[4:]}", f"+44{n}", f"+44 (0){n[:4]} {n[4:]}"][rng.randrange(4)]
    else:
        n = "20" + rng.choice("378") + digits(rng, 7)
        d = [f"+44 20 {n[2:6]} {n[6:]}", f"020 {n[2:6]} {n[6:]}", f"+44 (0)20 {n[2:6]} {n[6:]}"][rng.randrange(3)]
    return d, "44" + n


def phone_de(rng, mobile):
    if mobile:
        p = rng.choice(["151", "152", "160", "170", "171", "176"])
        s = digits(rng, 8 if p.startswith("15") else 7)
        d = [f"+49 {p} {s}", f"0{p} {s}", f"+49 (0){p} {s}", f"0{p}/{s}"][rng.randrange(4)]
    else:
        p = rng.choice(["30", "89", "40", "221"])
        s = digits(rng, 8 if len(p) == 2 else 7)
        d = [f"+49 {p} {s}", f"0{p} {s}", f"+49 (0){p} {s}", f"0{p}-{s}"][rng.randrange(4)]
    return d, "49" + p + s


def phone_fr(rng, mobile):
    n = (rng.choice("67") if mobile else rng.choice("12345")) + digits(rng, 8)
    pairs = " ".join(n[i:i + 2] for i in range(1, 9, 2))
    d = [f"+33 {n[0]} {pairs}", f"0{n[0]} {pairs}", f"0{n[0]}.{pairs.replace(' ', '.')}",
         f"+33{n}"][rng.randrange(4)]
    return d, "33" + n


def phone_es(rng, mobile):
    n = (rng.choice("67") + digits(rng, 8)) if mobile else ("91" + digits(rng, 7))
    d = [f"+34 {n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]} {n[3:6]} {n[6:]}", f"+34{n}"][rng.randrange(3)]
    return d, "34" + n


def phone_mx(rng, mobile):
    a = rng.choice(["55", "33", "81"])
    s = digits(rng, 8)
    d = [f"+52 {a} {s[:4]} {s[4:]}", f"{a} {s[:4]} {s[4:]}", f"+52 1 {a} {s[:4]} {s[4:]}"][rng.randrange(3)]
    return d, "52" + a + s


def phone_br(rng, mobile):
    a = rng.choice(["11", "21", "31"])
    s = ("9" + digits(rng, 8)) if mobile else (rng.choice("2345") + digits(rng, 7))
    d = [f"+55 {a} {s[:-4]}-{s[-4:]}", f"({a}) {s[:-4]}-{s[-4:]}", f"+55{a}{s}"][rng.randrange(3)]
    return d, "55" + a + s


def phone_it(rng, mobile):
    n = ("3" + rng.choice("234") + digits(rng, 8)) if mobile else ("06" + digits(rng, 8))
    if mobile:
        d = [f"+39 {n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]} {n[3:]}", f"+39 {n}"][rng.randrange(3)]
    else:
        d = [f"+39 06 {n[2:6]} {n[6:]}", f"06 {n[2:]}"][rng.randrange(2)]
    return d, "39" + n


def phone_se(rng, mobile):
    if mobile:
        n = "7" + rng.choice("0236") + digits(rng, 7)
        d = [f"+46 {n[:2]} {n[2:5]} {n[5:7]} {n[7:]}", f"0{n[:2]}-{n[2:5]} {n[5:7]} {n[7:]}"][rng.randrange(2)]
    else:
        n = "8" + digits(rng, 8)
        d = [f"+46 8 {n[1:4]} {n[4:7]} {n[7:]}", f"08-{n[1:4]} {n[4:7]} {n[7:]}"][rng.randrange(2)]
    return d, "46" + n


def phone_pl(rng, mobile):
    n = rng.choice("5678") + digits(rng, 8) if mobile else "22" + digits(rng, 7)
    d = [f"+48 {n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]} {n[3:6]} {n[6:]}", f"+48{n}"][rng.randrange(3)]
    return d, "48" + n


def phone_in(rng, mobile):
    if mobile:
        n = rng.choice("6789") + digits(rng, 9)
        d = [f"+91 {n[:5]} {n[5:]}", f"0{n[:5]} {n[5:]}", f"+91-{n}", f"{n}"][rng.randrange(4)]
    else:
        n = "80" + digits(rng, 8)
        d = [f"+91 80 {n[2:6]} {n[6:]}", f"080 {n[2:6]} {n[6:]}"][rng.randrange(2)]
    return d, "91" + n


def phone_cn(rng, mobile):
    if mobile:
        n = "1" + rng.choice("3589") + digits(rng, 9)
        d = [f"+86 {n[:3]} {n[3:7]} {n[7:]}", f"{n[:3]} {n[3:7]} {n[7:]}", f"+86 {n}"][rng.randrange(3)]
    else:
        n = rng.choice(["10", "21"]) + digits(rng, 8)
        d = [f"+86 {n[:2]} {n[2:6]} {n[6:]}", f"0{n[:2]} {n[2:6]} {n[6:]}", f"(0{n[:2]}) {n[2:]}"][rng.randrange(3)]
    return d, "86" + n


def phone_jp(rng, mobile):
    if mobile:
        n = rng.choice(["90", "80", "70"]) + digits(rng, 8)
        d = [f"+81 {n[:2]}-{n[2:6]}-{n[6:]}", f"0{n[:2]}-{n[2:6]}-{n[6:]}", f"+81 {n}"][rng.randrange(3)]
    else:
        n = "3" + digits(rng, 8)
        d = [f"+81 3-{n[1:5]}-{n[5:]}", f"03-{n[1:5]}-{n[5:]}"][rng.randrange(2)]
    return d, "81" + n


def phone_kr(rng, mobile):
    if mobile:
        n = "10" + digits(rng, 8)
        d = [f"+82 10-{n[2:6]}-{n[6:]}", f"010-{n[2:6]}-{n[6:]}", f"+82 10 {n[2:6]} {n[6:]}"][rng.randrange(3)]
    else:
        n = "2" + digits(rng, 8)
        d = [f"+82 2-{n[1:5]}-{n[5:]}", f"02-{n[1:5]}-{n[5:]}"][rng.randrange(2)]
    return d, "82" + n


def phone_vn(rng, mobile):
    n = rng.choice(["90", "91", "98", "70"]) + digits(rng, 7)
    d = [f"+84 {n[:2]} {n[2:5]} {n[5:7]} {n[7:]}", f"0{n[:2]} {n[2:5]} {n[5:]}"][rng.randrange(2)]
    return d, "84" + n


def phone_ae(rng, mobile):
    n = (rng.choice(["50", "52", "55", "56"]) + digits(rng, 7)) if mobile else ("4" + digits(rng, 7))
    d = [f"+971 {n[:-7]} {n[-7:-4]} {n[-4:]}", f"0{n[:-7]} {n[-7:-4]} {n[-4:]}", f"+971{n}"][rng.randrange(3)]
    return d, "971" + n


def phone_ng(rng, mobile):
    n = rng.choice(["803", "805", "806", "813", "703", "816"]) + digits(rng, 7)
    d = [f"+234 {n[:3]} {n[3:6]} {n[6:]}", f"0{n[:3]} {n[3:6]} {n[6:]}", f"+234{n}"][rng.randrange(3)]
    return d, "234" + n


def phone_ru(rng, mobile):
    n = ("9" + digits(rng, 9)) if mobile else ("495" + digits(rng, 7))
    d = [f"+7 {n[:3]} {n[3:6]}-{n[6:8]}-{n[8:]}", f"8 ({n[:3]}) {n[3:6]}-{n[6:8]}-{n[8:]}",
         f"+7{n}"][rng.randrange(3)]
    return d, "7" + n


PHONES = {"US": phone_us, "GB": phone_gb, "DE": phone_de, "FR": phone_fr, "ES": phone_es, "MX": phone_mx,
          "BR": phone_br, "IT": phone_it, "SE": phone_se, "PL": phone_pl, "IN": phone_in, "CN": phone_cn,
          "JP": phone_jp, "KR": phone_kr, "VN": phone_vn, "AE": phone_ae, "NG": phone_ng, "RU": phone_ru}


# ---------------------------------------------------------------------------
# vCard text helpers
# ---------------------------------------------------------------------------

def esc(s):
    """Escape a TEXT value (RFC 2426 section 4)."""
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def fold(line):
    """Fold a content line at 75 octets without splitting a UTF-8 sequence."""
    b = line.encode("utf-8")
    if len(b) <= 75:
        return line, False
    parts = []
    start, limit = 0, 75
    while start < len(b):
        end = min(start + limit, len(b))
        while end < len(b) and (b[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(b[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines start with one space
    return "\r\n ".join(parts), True


class Person:
    __slots__ = ("culture", "gender", "given", "family", "given_roman", "family_roman", "native", "middle",
                 "prefix", "suffix", "country", "emails", "phones", "org", "dept", "title", "slug")

    def display_given(self):
        return self.given if self.native else self.given_roman

    def display_family(self):
        return self.family if self.native else self.family_roman

    def fn(self):
        g, f = self.display_given(), self.display_family()
        key = self.culture["key"]
        if self.native and key in ("zh", "ko"):
            return f + g
        if self.native and key in ("ja", "vi"):
            return f + " " + g
        parts = [p for p in (self.prefix, g, self.middle, f) if p]
        name = " ".join(parts)
        if self.suffix:
            name += (", " if self.suffix in ("PhD", "MD") else " ") + self.suffix
        return name


class Generator:
    def __init__(self, seed, count):
        self.rng = random.Random(seed)
        self.emails = set()
        self.phones = set()
        self.slugs = set()
        self.uid_count = 0
        ncomp = max(60, count // 25)
        self.companies = list(COMPANY_FIXED)
        names = {n for n, _ in self.companies}
        domains = {d for _, d in self.companies}
        rng = self.rng
        attempts = 0
        while len(self.companies) < ncomp and attempts < ncomp * 20:
            attempts += 1
            a, b = rng.choice(COMPANY_A), rng.choice(COMPANY_B)
            name = f"{a} {b}{rng.choice(COMPANY_SUFFIX)}"
            dom = (a + b).lower() + rng.choice(TLDS)
            if rng.random() < 0.3:
                a2 = rng.choice(COMPANY_A)
                name = f"{a} {a2} {b}{rng.choice(COMPANY_SUFFIX)}"
                dom = (a + a2 + b).lower() + rng.choice(TLDS)
            if name in names or dom in domains:
                continue
            names.add(name)
            domains.add(dom)
            self.companies.append((name, dom))
        self.company_domains = {d for _, d in self.companies}

    # -- people ------------------------------------------------------------

    def pick_company(self):
        # Skewed: a few large employers, a long tail of small ones.
        return self.companies[int(len(self.companies) * self.rng.random() ** 2.2)]

    def new_phone(self, country, mobile):
        fn = PHONES[country]
        while True:
            disp, e164 = fn(self.rng, mobile)
            if e164 not in self.phones:
                self.phones.add(e164)
                return disp

    def new_email(self, p, domain):
        rng = self.rng
        g = asciify(p.given_roman).lower().replace(" ", "").replace("'", "")
        f = asciify(p.family_roman).lower().replace(" ", "").replace("'", "")
        forms = [f"{g}.{f}", f"{g}{f}", f"{g[0]}{f}", f"{g}_{f}", f"{f}.{g}", f"{g}{f[0]}", f"{g}"]
        # A bare given name only as a work address (small companies do that).
        local = forms[rng.randrange(len(forms) if domain in self.company_domains else len(forms) - 1)]
        for attempt in range(50):
            cand = local if attempt == 0 else (
                f"{local}{rng.randrange(1, 100)}" if attempt < 10 else f"{local}.{rng.randrange(100, 100000)}")
            addr = f"{cand}@{domain}"
            if addr not in self.emails:
                self.emails.add(addr)
                return addr
        raise RuntimeError("could not find a unique email")  # practically unreachable

    def new_slug(self, p):
        rng = self.rng
        g = asciify(p.given_roman).lower().replace(" ", "-").replace("'", "")
        f = asciify(p.family_roman).lower().replace(" ", "-").replace("'", "")
        r = rng.random()
        if r < 0.25:
            base = f"{g}-{f}"
        elif r < 0.75:
            base = f"{g}-{f}-{rng.getrandbits(32):08x}"
        elif r < 0.85:
            base = f"{g}{f}{rng.randrange(10, 100)}"
        elif r < 0.95:
            base = f"{g[0]}{f}"
        else:
            base = f"{g}-{f}-{rng.choice(['phd', 'mba', 'cpa', 'pmp'])}"
        # LinkedIn keeps non-ASCII slugs percent-encoded; some profiles have one.
        if p.culture["key"] in ("fr", "es", "de") and p.given != p.given_roman and rng.random() < 0.2:
            base = quote(f"{p.given.lower()}-{p.family.lower()}".replace(" ", "-")) + f"-{rng.randrange(1000, 9999)}"
        slug = base
        while slug in self.slugs:
            slug = f"{base}-{rng.getrandbits(24):06x}"
        self.slugs.add(slug)
        return slug

    def new_person(self, with_contacts=True):
        rng = self.rng
        c = rng.choices(CULTURES, CULTURE_WEIGHTS)[0]
        p = Person()
        p.culture = c
        p.gender = "m" if rng.random() < 0.5 else "f"
        g = rng.choice(c[p.gender])
        f = rng.choice(c["fam"])
        fam_n, fam_r = f
        if c["key"] == "es" and rng.random() < 0.25:
            f2 = rng.choice(c["fam"])
            if f2 != f:
                fam_n, fam_r = f"{f[0]} {f2[0]}", f"{f[1]} {f2[1]}"
        if p.gender == "f" and c["key"] == "pl":
            for a, b in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
                if fam_n.endswith(a):
                    fam_n, fam_r = fam_n[:-len(a)] + b, fam_r[:-len(a)] + b
        if p.gender == "f" and c["key"] == "ru":
            fam_n, fam_r = fam_n + "а", fam_r + "a"
        p.given, p.given_roman = g
        p.family, p.family_roman = fam_n, fam_r
        p.native = rng.random() < c["native"]
        p.middle = p.prefix = p.suffix = ""
        if c["key"] == "en":
            r = rng.random()
            if r < 0.08:
                p.middle = chr(65 + rng.randrange(26)) + "."
            elif r < 0.12:
                p.middle = rng.choice(c[p.gender])[0]
            r = rng.random()
            if r < 0.03:
                p.prefix = "Dr."
            elif r < 0.05:
                p.suffix = rng.choice(["Jr.", "III", "PhD", "MD"])
        p.country = wchoice(rng, c["countries"])
        p.slug = None
        p.emails, p.phones = [], []
        if rng.random() < 0.85:
            p.org, dom = self.pick_company()
            p.dept = rng.choice(DEPARTMENTS) if rng.random() < 0.2 else ""
            p.title = rng.choice(TITLES) if rng.random() < 0.8 else ""
        else:
            p.org, dom, p.dept, p.title = "", None, "", ""
        if with_contacts:
            r = rng.random()
            n_email = 0 if r < 0.05 else 1 if r < 0.5 else 2 if r < 0.85 else 3
            kinds = []
            if dom and n_email:
                kinds.append("work")
            while len(kinds) < n_email:
                kinds.append("home" if "home" not in kinds else "other")
            for k in kinds:
                domain = dom if k == "work" else rng.choice(PERSONAL_DOMAINS[p.country])
                p.emails.append((self.new_email(p, domain), k))
            r = rng.random()
            n_tel = 0 if r < 0.05 else 1 if r < 0.55 else 2 if r < 0.9 else 3
            for i in range(n_tel):
                kind = "cell" if i == 0 and rng.random() < 0.85 else rng.choice(["work", "home", "cell", "main"])
                country = p.country if rng.random() < 0.9 else rng.choice(list(PHONES))
                p.phones.append((self.new_phone(country, kind == "cell"), kind))
        return p

    # -- vCard rendering ----------------------------------------------------

    def uid(self):
        u = uuid.UUID(int=self.rng.getrandbits(128), version=4)
        r = self.rng.random()
        self.uid_count += 1
        if r < 0.5:
            return str(u).upper()
        if r < 0.8:
            return str(u)
        if r < 0.9:
            return f"urn:uuid:{u}"
        return f"{u.hex[:16]}@google.com"

    def tel_line(self, disp, kind):
        rng = self.rng
        t = {"cell": ["TEL;TYPE=CELL", "TEL;TYPE=cell,voice,pref", "TEL;TYPE=IPHONE;TYPE=CELL;TYPE=VOICE",
                      "TEL;type=CELL;type=VOICE;type=pref"],
             "work": ["TEL;TYPE=WORK", "TEL;TYPE=WORK;TYPE=VOICE", "TEL;type=work,voice"],
             "home": ["TEL;TYPE=HOME", "TEL;TYPE=HOME;TYPE=VOICE", "TEL;type=home"],
             "main": ["TEL;TYPE=MAIN", "TEL;TYPE=VOICE"]}[kind]
        return f"{rng.choice(t)}:{disp}"

    def adr_line(self, p, kind):
        rng = self.rng
        country = p.country
        city, region, postal = rng.choice(CITIES[country])
        n = rng.randint(1, 999)
        name = rng.choice(STREET_NAMES)
        if country in ("US", "GB", "IN", "NG", "AE"):
            street = f"{n} {name} {rng.choice(['St', 'Street', 'Ave', 'Road', 'Lane', 'Blvd'])}"
            if rng.random() < 0.25:
                street += rng.choice([f"\nSuite {rng.randint(100, 999)}", f", Floor {rng.randint(2, 40)}"])
        elif country == "DE":
            street = f"{rng.choice(['Haupt', 'Bahnhof', 'Linden', 'Garten', 'Schiller'])}" \
                     f"{rng.choice(['straße', 'weg', 'allee'])} {n}"
        elif country == "SE":
            street = f"{rng.choice(['Drottninggatan', 'Kungsgatan', 'Sveavägen', 'Storgatan'])} {n}"
        elif country == "PL":
            street = f"ul. {rng.choice(['Marszałkowska', 'Długa', 'Floriańska', 'Piękna'])} {n}"
        elif country == "RU":
            street = f"ул. {rng.choice(['Тверская', 'Арбат', 'Ленина', 'Невский проспект'])}, д. {n}"
        elif country == "FR":
            street = f"{n} rue {rng.choice(['de la Paix', 'Victor Hugo', 'du Faubourg Saint-Honoré'])}"
        elif country in ("ES", "MX"):
            street = f"Calle {rng.choice(['Mayor', 'Alcalá', 'Reforma', 'Insurgentes'])} {n}"
        elif country == "BR":
            street = f"Rua {rng.choice(['Augusta', 'das Flores', 'Oscar Freire'])}, {n}"
        elif country == "IT":
            street = f"Via {rng.choice(['Roma', 'Garibaldi', 'Dante'])} {n}"
        elif country == "CN":
            street = f"朝阳区建国路{n}号"
        elif country == "JP":
            street = f"神南{rng.randint(1, 3)}-{rng.randint(1, 20)}-{rng.randint(1, 30)}"
        elif country == "KR":
            street = f"강남구 테헤란로 {n}"
        else:
            street = f"{n} Đường Lê Lợi"
        vals = ["", "", street, city, region, fill_pattern(rng, postal), rng.choice(COUNTRY_NAMES[country])]
        return f"ADR;TYPE={kind}:" + ";".join(esc(v) for v in vals)

    def linkedin_url(self, slug):
        r = self.rng.random()
        if r < 0.6:
            return f"https://www.linkedin.com/in/{slug}"
        if r < 0.75:
            return f"https://www.linkedin.com/in/{slug}/"
        if r < 0.85:
            return f"http://www.linkedin.com/in/{slug}"
        if r < 0.95:
            return f"https://linkedin.com/in/{slug}"
        return f"www.linkedin.com/in/{slug}"

    def render(self, p, with_uid):
        """Return the unfolded content lines of one card (without BEGIN/END)."""
        rng = self.rng
        L = ["VERSION:3.0"]
        if rng.random() < 0.4:
            L.append("PRODID:" + rng.choice(PRODIDS))
        g, f = p.display_given(), p.display_family()
        L.append(f"N:{esc(f)};{esc(g)};{esc(p.middle)};{esc(p.prefix)};{esc(p.suffix)}")
        L.append("FN:" + esc(p.fn()))
        if p.native and p.given != p.given_roman and p.culture["key"] in ("zh", "ja", "ko", "ru") \
                and rng.random() < 0.5:
            L.append("X-PHONETIC-FIRST-NAME:" + esc(p.given_roman))
            L.append("X-PHONETIC-LAST-NAME:" + esc(p.family_roman))
        if p.org:
            L.append("ORG:" + esc(p.org) + (";" + esc(p.dept) if p.dept else ""))
        if p.title:
            L.append("TITLE:" + esc(p.title))
        group = 0
        labelled = rng.random() < 0.1
        for i, (addr, kind) in enumerate(p.emails):
            if labelled and i == len(p.emails) - 1 and i > 0:
                group += 1
                L.append(f"item{group}.EMAIL;TYPE=INTERNET:{addr}")
                L.append(f"item{group}.X-ABLabel:" + rng.choice(["_$!<Other>!$_", "conference", "old address",
                                                                 "Uni"]))
                continue
            t = {"work": ["EMAIL;TYPE=INTERNET;TYPE=WORK", "EMAIL;TYPE=INTERNET,WORK", "EMAIL;type=work"],
                 "home": ["EMAIL;TYPE=INTERNET;TYPE=HOME", "EMAIL;TYPE=internet,home", "EMAIL;TYPE=INTERNET"],
                 "other": ["EMAIL;TYPE=INTERNET", "EMAIL"]}[kind]
            pref = ";TYPE=pref" if i == 0 and rng.random() < 0.3 else ""
            L.append(f"{rng.choice(t)}{pref}:{addr}")
        for disp, kind in p.phones:
            L.append(self.tel_line(disp, kind))
        r = rng.random()
        if r < 0.3:
            L.append(self.adr_line(p, rng.choice(["WORK", "HOME", "HOME;TYPE=pref", "work"])))
            if r < 0.04:
                L.append(self.adr_line(p, "HOME"))
        if rng.random() < 0.25:
            y, doy = rng.randint(1950, 2002), rng.randrange(365)
            d = datetime.date(y, 1, 1) + datetime.timedelta(days=doy)
            r = rng.random()
            if r < 0.8:
                L.append(f"BDAY:{d.isoformat()}")
            elif r < 0.9:
                L.append(f"BDAY;X-APPLE-OMIT-YEAR=1604:1604-{d.month:02d}-{d.day:02d}")
            else:
                L.append(f"BDAY:{d.strftime('%Y%m%d')}")
        if p.slug:
            L.append("URL:" + self.linkedin_url(p.slug))
        if rng.random() < 0.05:
            group += 1
            g_ascii = asciify(p.given_roman).lower().replace(" ", "")
            L.append(f"item{group}.URL:https://{g_ascii}{rng.randrange(1000)}.example.net/")
            L.append(f"item{group}.X-ABLabel:_$!<HomePage>!$_")
        if rng.random() < 0.2:
            k = rng.choice([1, 1, 2, 3])
            note = " ".join(rng.sample(NOTE_SENTENCES, k))
            if rng.random() < 0.3:
                note = note.replace(". ", ".\n", 1)
            if rng.random() < 0.1:
                note = " ".join(rng.sample(NOTE_SENTENCES, 8))
            L.append("NOTE:" + esc(note))
        if rng.random() < 0.4:
            cats = rng.sample(CATEGORIES, rng.choice([1, 1, 2, 3]))
            L.append("CATEGORIES:" + ",".join(esc(c) for c in cats))
        r = rng.random()
        if r < 0.08:
            h = asciify(p.given_roman).lower()[:6] + asciify(p.family_roman).lower()[:6]
            L.append(f"X-SOCIALPROFILE;type=twitter:https://twitter.com/{h}{rng.randrange(100)}")
        elif r < 0.11:
            L.append(f"X-SKYPE:live:{asciify(p.given_roman).lower()}.{rng.randrange(10 ** 6)}")
        elif r < 0.13:
            L.append(f"X-ANNIVERSARY:{rng.randint(1980, 2020)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
        elif r < 0.15:
            L.append("X-MS-OL-DEFAULT-POSTAL-ADDRESS:2")
        elif r < 0.16:
            L.append("X-ABShowAs:COMPANY")
        if rng.random() < 0.3:
            L.append(f"REV:{rng.randint(2015, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                     f"T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z")
        if with_uid:
            L.append("UID:" + self.uid())
        return L


def card_text(lines, stats):
    out = ["BEGIN:VCARD"]
    stats["with_uid"] += lines[-1].startswith("UID:")
    for line in lines:
        folded, did = fold(line)
        if did:
            stats["folded_lines"] += 1
        out.append(folded)
    out.append("END:VCARD")
    return "\r\n".join(out) + "\r\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1000, help="number of vCards (including planted duplicates)")
    ap.add_argument("--connections", type=int, default=None,
                    help="number of LinkedIn connections (default: count / 2)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", required=True, help="output directory (created if missing)")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    n_conn = args.count // 2 if args.connections is None else args.connections
    if n_conn < 0:
        ap.error("--connections must not be negative")

    t0 = time.perf_counter()
    os.makedirs(args.out, exist_ok=True)
    gen = Generator(args.seed, args.count)
    rng = gen.rng

    n_exact = round(args.count * 0.03)
    n_near = round(args.count * 0.02)
    n_base = args.count - n_exact - n_near

    # Phase 1: the distinct people behind the vCards.
    people = [gen.new_person() for _ in range(n_base)]
    for p in people:
        if rng.random() < 0.35:
            p.slug = gen.new_slug(p)

    # Phase 2: choose the planted duplicates.
    with_email = [i for i, p in enumerate(people) if p.emails]
    exact_src = rng.sample(with_email, min(n_exact, len(with_email)))
    nick_ok = [i for i, p in enumerate(people) if p.given in NICKNAMES and p.org]
    near_src = rng.sample(nick_ok, min(n_near, len(nick_ok)))
    n_exact, n_near = len(exact_src), len(near_src)
    dup_of = {}
    for i in exact_src:
        dup_of.setdefault(i, []).append("exact")
    for i in near_src:
        dup_of.setdefault(i, []).append("near")

    # Phase 3: write the vCards; each duplicate goes at a random later position.
    stats = Counter()
    pending = {}
    near_people = []
    vcf_path = os.path.join(args.out, "contacts.vcf")
    with open(vcf_path, "w", encoding="utf-8", newline="") as out:
        for i, p in enumerate(people):
            lines = gen.render(p, rng.random() < 0.95)
            stats["with_linkedin_url"] += p.slug is not None
            if any(ord(ch) > 127 for ch in p.fn()):
                stats["non_ascii_names"] += 1
            out.write(card_text(lines, stats))
            stats["cards"] += 1
            for kind in dup_of.get(i, ()):
                if kind == "exact":
                    dup = [ln for ln in lines if not ln.startswith("UID:")]
                    at = max((k for k, ln in enumerate(dup) if ln.startswith(("TEL", "EMAIL", "item"))),
                             default=len(dup) - 1) + 1
                    kind_tel = rng.choice(["home", "work", "main"])
                    dup.insert(at, gen.tel_line(gen.new_phone(p.country, False), kind_tel))
                    dup.append("UID:" + gen.uid())
                else:
                    q = Person()
                    for s in Person.__slots__:
                        setattr(q, s, getattr(p, s))
                    q.given = q.given_roman = rng.choice(NICKNAMES[p.given])
                    q.native = True
                    q.middle = q.prefix = q.suffix = ""
                    q.slug = None
                    q.emails, q.phones = [], []
                    dom = next((a.split("@")[1] for a, k in p.emails if k == "work"), None)
                    if rng.random() < 0.7:
                        q.emails.append((gen.new_email(q, rng.choice(PERSONAL_DOMAINS[q.country])), "home"))
                    if rng.random() < 0.2 and dom:
                        q.emails.append((gen.new_email(q, dom), "work"))
                    if rng.random() < 0.6:
                        q.phones.append((gen.new_phone(q.country, True), "cell"))
                    dup = gen.render(q, rng.random() < 0.95)
                    near_people.append(q)
                at = rng.randint(i, n_base - 1)
                pending.setdefault(at, []).append(card_text(dup, stats))
            for text in pending.pop(i, ()):
                out.write(text)
                stats["cards"] += 1
    assert not pending and stats["cards"] == n_base + n_exact + n_near

    # Phase 4: LinkedIn connections; ~30% are people of the vCards.
    n_overlap = min(round(n_conn * 0.30), n_base)
    linked = [i for i, p in enumerate(people) if p.slug]
    unlinked_mail = [i for i, p in enumerate(people) if not p.slug and p.emails]
    n_by_slug = min(len(linked), round(n_overlap * 0.75))
    n_by_email = min(len(unlinked_mail), n_overlap - n_by_slug)
    n_overlap = n_by_slug + n_by_email
    start = datetime.date(2008, 1, 1).toordinal()
    end = datetime.date(2025, 6, 30).toordinal()
    rows = []
    conn_stats = Counter()

    def row_for(p, slug, email):
        roman = p.culture["native"] < 1.0 and rng.random() < 0.7
        first = p.given_roman if roman else p.display_given()
        last = p.family_roman if roman else p.display_family()
        if rng.random() < 0.015:
            last += rng.choice([", PhD", ", MBA", ", CPA", " 🌱"])
        company, position = p.org, p.title
        if company and rng.random() < 0.2:  # changed jobs since the card was saved
            company, position = gen.pick_company()[0], rng.choice(TITLES)
        url = f"https://www.linkedin.com/in/{slug}" + ("/" if rng.random() < 0.15 else "")
        when = datetime.date.fromordinal(rng.randint(start, end))
        conn_stats["with_email"] += bool(email)
        return (when, [first, last, url, email, company, position,
                       f"{when.day:02d} {MONTHS[when.month - 1]} {when.year}"])

    for i in rng.sample(linked, n_by_slug):
        p = people[i]
        email = p.emails[0][0] if p.emails and rng.random() < 0.1 else ""
        rows.append(row_for(p, p.slug, email))
    for i in rng.sample(unlinked_mail, n_by_email):
        p = people[i]
        rows.append(row_for(p, gen.new_slug(p), rng.choice(p.emails)[0]))
    for _ in range(n_conn - n_overlap):
        p = gen.new_person(with_contacts=False)
        email = ""
        if rng.random() < 0.08:
            email = gen.new_email(p, rng.choice(PERSONAL_DOMAINS[p.country]))
        rows.append(row_for(p, gen.new_slug(p), email))
    # LinkedIn lists the newest connections first.
    rows.sort(key=lambda r: r[0], reverse=True)
    rows = [r for _, r in rows]
    n_blank = round(n_conn * 0.0005)
    for _ in range(n_blank):
        rows.insert(rng.randint(0, len(rows)), [""] * 7)

    csv_path = os.path.join(args.out, "Connections.csv")
    with open(csv_path, "w", encoding="utf-8", newline="") as out:
        out.write("Notes:\n" + LINKEDIN_NOTE + "\n\n")
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        w.writerows(rows)

    names = Counter(p.fn() for p in people)
    # Pairs of people that a "nickname form of the given name + same family
    # name + same organisation" rule links: the planted near duplicates, plus
    # extra pairs where homonyms work at the same (large) employer.
    keys = Counter((q.display_given(), q.display_family(), q.org) for q in people + near_people)
    formal_of = {}
    for formal, nicks in NICKNAMES.items():
        for nick in nicks:
            formal_of.setdefault(nick, []).append(formal)
    nick_pairs = sum(n * keys.get((formal, fam, org), 0)
                     for (given, fam, org), n in keys.items() for formal in formal_of.get(given, ()))
    summary = {
        "seed": args.seed,
        "out": os.path.abspath(args.out),
        "vcf": {
            "path": vcf_path,
            "bytes": os.path.getsize(vcf_path),
            "cards": stats["cards"],
            "distinct_people": n_base,
            "exact_duplicates": n_exact,
            "near_duplicates": n_near,
            "with_uid": stats["with_uid"],
            "with_linkedin_url": stats["with_linkedin_url"],
            "non_ascii_names": stats["non_ascii_names"],
            "folded_lines": stats["folded_lines"],
            "homonym_names": sum(1 for c in names.values() if c > 1),
            "people_sharing_a_name": sum(c for c in names.values() if c > 1),
        },
        "linkedin": {
            "path": csv_path,
            "bytes": os.path.getsize(csv_path),
            "rows": len(rows),
            "connections": n_conn,
            "blank_rows": n_blank,
            "same_person_as_vcard": n_overlap,
            "matched_by_slug": n_by_slug,
            "matched_by_email_only": n_by_email,
            "with_email": conn_stats["with_email"],
        },
        "expected": {
            "people_after_vcf_import": n_base + n_near,
            "nickname_pairs_same_family_and_org": nick_pairs,
            "people_after_both_imports": n_base + n_near + n_conn - n_overlap,
        },
        "seconds": round(time.perf_counter() - t0, 3),
    }
    json.dump(summary, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
