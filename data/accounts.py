"""A deterministic, realistic customer-account catalogue (R4) for demos, tests
and the search benchmark.

Names look like the registers they come from: Nordic "AB/AS/Oy", UK "Ltd/PLC",
US "Inc/LLC", German "GmbH", Indian "Pvt Ltd", French/Spanish/Italian/Dutch
forms, often upper-cased in the DUNS (Other) list. The catalogue holds what
search has to cope with: three tabs (about 25 % managed, 20 % unmanaged, 55 %
other), linked managed records of one customer (R4.3), the same company twice
in Other with a slightly different spelling (R4.5), abbreviated words,
subsidiaries that name their parent (R4.8), US federal accounts (R4.6) and
MACC contracts (R4.7). Same ``(n, seed)`` always gives the same rows.
"""
from __future__ import annotations

import csv
import os
import random
from typing import Iterator

FIELDS = ("account_id", "name", "tab", "linked_group", "duns", "city", "country",
          "macc", "federal", "parent_name")


def _w(text: str) -> list[str]:
    return text.split("|")


_INDUSTRY = _w(
    "Logistics|Consulting|Software|Solutions|Services|Systems|Technologies|Engineering|Manufacturing|"
    "Construction|Foods|Pharmaceuticals|Energy|Retail|Capital|Partners|Healthcare|Medical|Analytics|"
    "Media|Marketing|Telecommunications|Security|Robotics|Textiles|Motors|Automotive|Chemicals|Steel|"
    "Metals|Plastics|Packaging|Transport|Shipping|Hotels|Insurance|Financial|Investments|Properties|"
    "Builders|Electric|Electronics|Networks|Data|Laboratories|Biotech|Agro|Farms|Dairy|Beverages|"
    "Brewing|Apparel|Furniture|Paper|Printing|Design|Architects|Accounting|Recruitment|Education|"
    "Travel|Events|Studios|Games|Cloud|Digital|Management|Associates|Holdings|Industries|Aviation|"
    "Marine|Mining|Water|Solar|Wind Power|Cybersecurity|Payments|Logic|Instruments|Tools|Labs")
_DESCRIPTOR = _w(
    "Global|International|National|United|General|Advanced|Applied|Integrated|Premier|Pacific|"
    "Atlantic|Northern|Southern|Eastern|Western|Central|Metro|Coastal|Alpine|Baltic|Royal|First|"
    "Prime|Summit|Apex|Pioneer|Heritage|Liberty|Eagle|Silver|Golden|Blue|Green|Crown|Star|Delta|"
    "Omega|Vertex|Modern|Smart|Quantum|Precision|Allied|Continental|Standard|Dynamic|Infinity")
_START = _w("Ax|Bel|Cor|Dan|El|Fal|Gal|Hel|Is|Jor|Kal|Lum|Mar|Nor|Ost|Pol|Quin|Ros|Sol|Tor|Ul|Vel|"
            "Wes|Xen|Yar|Zel|Ark|Bri|Cas|Dra|Eri|Fen|Gra|Hal|Ino|Kor|Lin|Mer|Nov|Ori|Pra|Sev|Tal|"
            "Val|Vin|Zan|Ber|Cal|Dor|Fin|Har|Kes|Lor|Mon|Nex|Per|Rad|Sar|Tev|Ver|Wil|Zor")
_MID = _w("a|e|i|o|u|ar|en|ol|is|an|or|ex|ia|ev|al|in|um|er")
_END = _w("tix|bex|ra|nor|lon|via|dex|tec|mo|vo|sys|ta|gen|lux|ris|tra|nex|vio|ka|dor|ion|um|ant|"
          "ett|ic|on|is|ly|co|wave|point|field|stone|gate|bridge|line|way|works|ford|dale|mark|"
          "ton|berg|heim|sen|ia|ex|ox|ix|ara|ena|ico|ora")
_ABBREV = {"International": "Intl", "Manufacturing": "Mfg", "Services": "Svcs", "Technologies": "Tech",
           "Systems": "Sys", "National": "Natl", "Group": "Grp", "Holdings": "Hldgs",
           "Associates": "Assoc", "Brothers": "Bros", "Management": "Mgmt", "Engineering": "Eng",
           "Industries": "Inds", "Laboratories": "Labs", "Department": "Dept", "Corporation": "Corp"}

_SURNAMES = {
    "us": _w("Smith|Johnson|Williams|Brown|Jones|Miller|Davis|Garcia|Rodriguez|Wilson|Martinez|Anderson|"
             "Taylor|Thomas|Hernandez|Moore|Martin|Jackson|Thompson|White|Lopez|Lee|Gonzalez|Harris|Clark|"
             "Lewis|Robinson|Walker|Perez|Hall|Young|Allen|Sanchez|Wright|King|Scott|Green|Baker|Adams|"
             "Nelson|Hill|Ramirez|Campbell|Mitchell|Roberts|Carter|Phillips|Evans|Turner|Torres|Parker|"
             "Collins|Edwards|Stewart|Flores|Morris|Nguyen|Murphy|Rivera|Cook|Rogers|Morgan|Peterson|"
             "Cooper|Reed|Bailey|Bell|Gomez|Kelly|Howard|Ward|Cox|Diaz|Richardson|Wood|Watson|Brooks|"
             "Bennett|Gray|Hughes|Price|Myers|Long|Foster|Sanders|Ross|Powell|Sullivan|Russell|Jenkins|"
             "Perry|Butler|Barnes|Fisher|Henderson|Coleman|Simmons|Patterson|Jordan|Reynolds|Hamilton|"
             "Graham|Kim|Wallace|Griffin|Cole|Hayes|Gibson|Bryant|Ellis|Stevens|Murray|Ford|Marshall|"
             "Owens|McDonald|Harrison|Kennedy|Wells|Woods|Olson|Webb|Tucker|Freeman|Burns|Snyder|"
             "Crawford|Porter|Mason|Shaw|Gordon|Wagner|Hunter|Hicks|Dixon|Palmer|Black|Holmes|Stone|Boyd|"
             "Mills|Warren|Fox|Rose|Rice|Patel|Ferguson|Nichols|Ryan|Weaver|Daniels|Gardner|Payne|Dunn|"
             "Pierce|Arnold|Spencer|Hawkins|Grant|Hansen|Hoffman|Hart|Elliott|Cunningham|Knight|Bradley"),
    "uk": _w("Smith|Jones|Taylor|Brown|Williams|Wilson|Johnson|Davies|Robinson|Wright|Thompson|Evans|"
             "Walker|White|Roberts|Green|Hall|Wood|Jackson|Clarke|Patel|Khan|Lewis|James|Phillips|Mason|"
             "Mitchell|Rose|Davis|Rodgers|Cooper|Harrison|Ward|Morris|Turner|Baker|Hughes|Edwards|Hill|"
             "Moore|Clark|Harris|Scott|Young|Watson|Parker|Price|Bennett|Griffiths|Kelly|Cook|Carter|"
             "Richardson|Bailey|Collins|Bell|Shaw|Murphy|Cox|Richards|Marshall|Anderson|Simpson|Ellis|"
             "Adams|Singh|Wilkinson|Foster|Chapman|Powell|Webb|Gray|Hunt|Hussain|Campbell|Matthews|Owen|"
             "Palmer|Holmes|Mills|Barnes|Knight|Lloyd|Butler|Russell|Barker|Fisher|Stevens|Jenkins|"
             "Dixon|Harvey|Graham|Pearson|Ahmed|Fletcher|Walsh|Gibson|Howard|Andrews|Stewart|Elliott|"
             "Reynolds|Saunders|Payne|Pearce|Day|Brooks|Lawrence|Atkinson|Bradley|Spencer|Gill|Dawson|"
             "Ball|Burton|O'Brien|Watts|Booth|Perry|Armstrong|Francis|Rees|Hardy|Gregory|Sutton|Holland|"
             "O'Connor|Whitehead|Hargreaves|Ashworth|Pemberton|Fairbanks|Blackwood|Thornton|Kershaw"),
    "nordic": _w("Andersson|Johansson|Karlsson|Nilsson|Eriksson|Larsson|Olsson|Persson|Svensson|"
                 "Gustafsson|Pettersson|Jonsson|Jansson|Hansson|Bengtsson|Lindberg|Lindqvist|Lindström|"
                 "Lundgren|Berg|Bergström|Lundberg|Sandberg|Forsberg|Sjöberg|Wallin|Engström|Eklund|"
                 "Danielsson|Lundin|Håkansson|Björk|Bergman|Holm|Nyström|Holmberg|Fredriksson|Mattsson|"
                 "Sundberg|Åberg|Strand|Nyberg|Hansen|Johansen|Olsen|Larsen|Andersen|Pedersen|Nilsen|"
                 "Kristiansen|Jensen|Karlsen|Johnsen|Pettersen|Eriksen|Haugen|Hagen|Johannessen|"
                 "Halvorsen|Jørgensen|Sørensen|Rasmussen|Christensen|Poulsen|Madsen|Kristensen|Thomsen|"
                 "Møller|Mikkelsen|Korhonen|Virtanen|Mäkinen|Nieminen|Mäkelä|Hämäläinen|Laine|Heikkinen|"
                 "Koskinen|Järvinen|Lehtonen|Lehtinen|Saarinen|Salminen|Heinonen|Niemi|Heikkilä|Kinnunen|"
                 "Salonen|Turunen|Salo|Laitinen|Tuominen|Rantanen|Karjalainen|Jokinen|Mattila|Ahonen"),
    "de": _w("Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|Schäfer|Koch|"
             "Bauer|Richter|Klein|Wolf|Schröder|Neumann|Schwarz|Zimmermann|Braun|Krüger|Hofmann|Hartmann|"
             "Lange|Schmitt|Werner|Schmitz|Krause|Meier|Lehmann|Schmid|Schulze|Maier|Köhler|Herrmann|"
             "König|Walter|Mayer|Huber|Kaiser|Fuchs|Peters|Lang|Scholz|Möller|Weiß|Jung|Hahn|Schubert|"
             "Vogel|Friedrich|Keller|Günther|Frank|Berger|Winkler|Roth|Beck|Lorenz|Baumann|Franke|"
             "Albrecht|Schuster|Simon|Ludwig|Böhm|Winter|Kraus|Schumacher|Krämer|Vogt|Stein|Jäger|Otto|"
             "Sommer|Groß|Seidel|Heinrich|Brandt|Haas|Schreiber|Graf|Schulte|Dietrich|Ziegler|Kuhn|"
             "Kühn|Pohl|Engel|Horn|Busch|Bergmann|Voigt|Sauer|Wolff|Pfeiffer"),
    "in": _w("Sharma|Verma|Gupta|Singh|Kumar|Patel|Shah|Mehta|Agarwal|Jain|Reddy|Rao|Nair|Iyer|Menon|"
             "Pillai|Desai|Joshi|Kulkarni|Deshpande|Chatterjee|Banerjee|Mukherjee|Das|Bose|Ghosh|Sen|"
             "Chopra|Kapoor|Malhotra|Khanna|Bhatia|Arora|Sethi|Bajaj|Goenka|Mittal|Bansal|Goyal|Saxena|"
             "Srivastava|Tiwari|Pandey|Mishra|Dubey|Yadav|Chauhan|Rathore|Thakur|Naidu|Hegde|Shetty|"
             "Kamath|Pai|Bhat|Krishnan|Subramanian|Venkatesh|Raghavan|Narayanan|Shree|Sri|Bharat|"
             "Hindustan|Indo|Jai|Sai|Ganesh|Lakshmi|Krishna|Balaji|Vijay|Maruti|Surya|Ashoka|Deccan|"
             "Kaveri|Ganga|Himalaya|Navbharat|Sudarshan"),
    "eu": _w("Dubois|Lefèvre|Moreau|Laurent|Girard|Bonnet|Dupont|Lambert|Fontaine|Rousseau|Vincent|"
             "Faure|André|Mercier|Blanc|Guérin|Boyer|Garnier|Chevalier|François|Legrand|Gauthier|Perrin|"
             "Clément|Morin|Roussel|Mathieu|Masson|Marchand|Duval|Dumont|Lemaire|Noël|Dufour|Meunier|"
             "García|Fernández|González|Rodríguez|López|Martínez|Sánchez|Pérez|Gómez|Jiménez|Ruiz|"
             "Hernández|Díaz|Moreno|Muñoz|Álvarez|Romero|Alonso|Gutiérrez|Navarro|Domínguez|Vázquez|"
             "Rossi|Russo|Ferrari|Esposito|Bianchi|Romano|Colombo|Ricci|Marino|Greco|Bruno|Gallo|Conti|"
             "De Luca|Mancini|Costa|Giordano|Rizzo|Lombardi|Moretti|de Jong|Jansen|de Vries|"
             "van den Berg|van Dijk|Bakker|Janssen|Visser|Smit|Meijer|de Boer|Mulder|de Groot|Bos|Vos|"
             "Hendriks|van Leeuwen|Dekker|Brouwer"),
}
_LOCAL = {
    "nordic": _w("Bygg|Fastighet|Transport|Frakt|Fisk|Skog|Energi|Elektro|Data|Konsult|Maskin|Verkstad|"
                 "Rör|Måleri|Teknik|Logistik|Trä|Handel|Industri|Mekaniska|Snickeri|Sjöfart|Eiendom|"
                 "Entreprenør|Rådgivning|Kraft|Vind|Varv|Hus|Montage|Invest|Kemi|Möbler|Tryckeri|Bageri"),
    "de": _w("Maschinenbau|Logistik|Elektrotechnik|Bau|Holzbau|Metallbau|Stahlbau|Automation|"
             "Antriebstechnik|Umwelttechnik|Medizintechnik|Verpackung|Kunststoff|Werkzeugbau|Spedition|"
             "Immobilien|Beratung|Versicherung|Druckerei|Systemhaus|Anlagenbau|Energietechnik|"
             "Lebensmittel|Brauerei|Feinmechanik|Präzisionstechnik|Gebäudetechnik|Fahrzeugbau"),
    "in": _w("Infotech|Infosystems|Softech|Exports|Enterprises|Textiles|Pharma|Chemicals|Steels|Motors|"
             "Builders|Developers|Constructions|Agro|Foods|Finance|Traders|Logistics|Engineering Works|"
             "Polymers|Cables|Electricals|Auto Components|Castings|Forgings|Fabrics|Spinning Mills|"
             "Healthcare|Consultancy Services|Software Solutions|Infra|Power|Realty|Impex"),
    "eu": _w("Conseil|Transports|Électricité|Bâtiment|Informatique|Distribution|Logistique|Ingénierie|"
             "Construcciones|Ingeniería|Transportes|Servicios|Consultoría|Inmobiliaria|Energía|"
             "Costruzioni|Meccanica|Trasporti|Servizi|Impianti|Tecnologie|Elettronica|Bouw|Techniek|"
             "Installatietechniek|Logistiek|Advies|Groep|Vastgoed"),
}
_LOCAL["us"] = _LOCAL["uk"] = _INDUSTRY
# country: (weight, region, cities, legal forms; repeats weight the common ones)
_COUNTRIES = {
    "US": (30, "us", _w("New York|Chicago|Houston|Phoenix|Seattle|Boston|Denver|Austin|Atlanta|Dallas|"
                        "San Diego|Portland|Miami|Detroit|Minneapolis|Raleigh|Columbus|Nashville"),
           _w("Inc|Inc|Inc.|LLC|LLC|Corp|Corporation|Incorporated|Co|Company|")),
    "GB": (15, "uk", _w("London|Manchester|Birmingham|Leeds|Glasgow|Bristol|Edinburgh|Liverpool|Cardiff|"
                        "Sheffield|Newcastle|Nottingham|Reading|Cambridge|Oxford|Belfast"),
           _w("Ltd|Ltd|Limited|Limited|LTD|PLC|plc|Ltd.|")),
    "SE": (7, "nordic", _w("Stockholm|Göteborg|Malmö|Uppsala|Västerås|Örebro|Linköping|Helsingborg|"
                           "Jönköping|Norrköping|Lund|Umeå|Gävle|Borås"), _w("AB|AB|AB|AB (publ)|Aktiebolag|HB|")),
    "NO": (5, "nordic", _w("Oslo|Bergen|Trondheim|Stavanger|Tromsø|Drammen|Kristiansand|Ålesund|Bodø"),
           _w("AS|AS|AS|ASA|A/S|")),
    "DK": (4, "nordic", _w("København|Aarhus|Odense|Aalborg|Esbjerg|Randers|Kolding"), _w("A/S|A/S|ApS|ApS|AS|")),
    "FI": (4, "nordic", _w("Helsinki|Espoo|Tampere|Vantaa|Oulu|Turku|Jyväskylä|Lahti|Kuopio"),
           _w("Oy|Oy|Oy|Oyj|Ab|")),
    "DE": (10, "de", _w("Berlin|Hamburg|München|Köln|Frankfurt|Stuttgart|Düsseldorf|Leipzig|Dortmund|"
                        "Essen|Bremen|Dresden|Hannover|Nürnberg|Bielefeld|Bonn|Mannheim|Karlsruhe"),
           _w("GmbH|GmbH|GmbH|AG|GmbH & Co. KG|KG|")),
    "AT": (2, "de", _w("Wien|Graz|Linz|Salzburg|Innsbruck"), _w("GmbH|GmbH|AG|")),
    "CH": (2, "de", _w("Zürich|Genf|Basel|Bern|Lausanne|Luzern"), _w("AG|AG|GmbH|SA|")),
    "IN": (12, "in", _w("Mumbai|Delhi|Bengaluru|Hyderabad|Chennai|Kolkata|Pune|Ahmedabad|Jaipur|Surat|"
                        "Lucknow|Nagpur|Indore|Coimbatore|Kochi|Noida|Gurugram|Chandigarh"),
           _w("Private Limited|Private Limited|Pvt Ltd|Pvt. Ltd.|Pvt. Ltd|Limited|Ltd|")),
    "FR": (3, "eu", _w("Paris|Lyon|Marseille|Toulouse|Nice|Nantes|Strasbourg|Bordeaux|Lille"),
           _w("SA|SAS|SAS|SARL|S.A.|")),
    "ES": (2, "eu", _w("Madrid|Barcelona|Valencia|Sevilla|Zaragoza|Málaga|Bilbao"), _w("S.A.|S.L.|SL|SA|")),
    "IT": (2, "eu", _w("Milano|Roma|Torino|Napoli|Bologna|Firenze|Genova|Venezia"),
           _w("S.p.A.|SpA|Srl|S.r.l.|")),
    "NL": (2, "eu", _w("Amsterdam|Rotterdam|Den Haag|Utrecht|Eindhoven|Groningen"), _w("B.V.|BV|BV|N.V.|")),
}
_COUNTRY_CODES = list(_COUNTRIES)
_COUNTRY_WEIGHTS = [c[0] for c in _COUNTRIES.values()]
_COUNTRY_WORD = {"US": "USA", "GB": "UK", "SE": "Sverige", "NO": "Norge", "DK": "Danmark", "FI": "Finland",
                 "DE": "Deutschland", "AT": "Austria", "CH": "Schweiz", "IN": "India", "FR": "France",
                 "ES": "España", "IT": "Italia", "NL": "Nederland"}
_PARENT_WORD = _w("Group|Group|Holdings|Holdings|Hldgs|Corporation|International|Industries|Enterprises")
_AGENCY = _w("Agriculture|Commerce|Defense|Education|Energy|Health and Human Services|Homeland Security|"
             "Housing and Urban Development|the Interior|Justice|Labor|State|Transportation|the Treasury|"
             "Veterans Affairs")
_FED_BODY = _w("Aviation|Highway|Emergency Management|Communications|Trade|Maritime|Railroad|Transit|"
               "Fish and Wildlife|Forest|Park|Geological|Weather|Census|Prisons|Election|Reserve")
_FED_KIND = _w("Administration|Agency|Commission|Bureau|Service|Office")


class _Gen:
    """Company-at-a-time generator; one instance per ``(n, seed)``."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)
        self.seed = seed
        self.idx = 0
        self.groups = 0

    # -- names ---------------------------------------------------------------
    def brand(self) -> str:
        r = self.r
        mid = r.choice(_MID) if r.random() < 0.55 else ""
        return r.choice(_START) + mid + r.choice(_END)

    def base_name(self, cc: str) -> str:
        """The distinctive part of a name (no legal form)."""
        r, region = self.r, _COUNTRIES[cc][1]
        roll = r.random()
        word = r.choice(_LOCAL[region]) if r.random() < 0.6 else r.choice(_INDUSTRY)
        if roll < 0.34:
            name = f"{self.brand()} {word}"
        elif roll < 0.52:
            extra = f" {r.choice(_DESCRIPTOR)}" if r.random() < 0.5 else ""
            name = f"{r.choice(_SURNAMES[region])}{extra} {word}"
        elif roll < 0.60:
            a, b = r.sample(_SURNAMES[region], 2)
            name = r.choice((f"{a} & {b}", f"{a} & {b} {word}", f"{a} & Sons {word}",
                             f"{a} Brothers {word}", f"{a} and {b} {word}"))
        elif roll < 0.74:
            place = r.choice(_COUNTRIES[cc][2]) if r.random() < 0.5 else r.choice(_DESCRIPTOR)
            name = f"{place} {word}"
        elif roll < 0.86:
            name = f"{self.brand()} {r.choice(_DESCRIPTOR)} {word}"
        else:
            initial = f"{chr(65 + r.randrange(26))}. " if r.random() < 0.4 else ""
            name = f"{initial}{r.choice(_SURNAMES[region])} {r.choice(_LOCAL[region])} {r.choice(_INDUSTRY)}"
        if r.random() < 0.12:  # registers abbreviate too
            name = " ".join(_ABBREV.get(t, t) for t in name.split(" "))
        return name

    def with_form(self, base: str, cc: str) -> str:
        form = self.r.choice(_COUNTRIES[cc][3])
        return f"{base} {form}" if form else base

    def variant(self, name: str, cc: str) -> str:
        """The same company spelled a little differently (DUNS duplicates, R4.5)."""
        r = self.r
        roll = r.random()
        if roll < 0.35:
            words = name.split(" ")
            forms = {f for f in _COUNTRIES[cc][3] if f}
            while len(words) > 1 and (words[-1] in forms or words[-1] in ("&", "Co.", "KG", "(publ)")):
                words.pop()
            return self.with_form(" ".join(words), cc)
        if roll < 0.55:
            return name.replace(" & ", " and ") if " & " in name else name.upper()
        if roll < 0.8:  # one dropped or doubled letter
            i = r.randrange(1, max(2, len(name) - 1))
            return name[:i] + name[i + 1:] if r.random() < 0.5 else name[:i] + name[i] + name[i:]
        return " ".join(_ABBREV.get(t, t) for t in name.split(" ")) if r.random() < 0.5 else name.upper()

    # -- rows ----------------------------------------------------------------
    def row(self, name, tab, cc, *, city=None, group=None, parent=None, federal=False, duns=True):
        r = self.r
        self.idx += 1
        if tab == "other" and r.random() < 0.25:
            name = name.upper()  # the DUNS list often shouts
        macc = tab == "managed" and r.random() < 0.15 or tab == "unmanaged" and r.random() < 0.02
        has_duns = duns and (tab == "other" or r.random() < 0.7)
        duns_no = f"{(self.idx * 7919 + self.seed * 104729) % 900_000_000 + 100_000_000}" if has_duns else None
        return (f"A{self.idx:08d}", name, tab, group, duns_no, city or r.choice(_COUNTRIES[cc][2]), cc,
                macc, federal, parent)

    def tab(self) -> str:
        x = self.r.random()
        return "managed" if x < 0.18 else "unmanaged" if x < 0.40 else "other"

    def company(self) -> list[tuple]:
        r = self.r
        cc = r.choices(_COUNTRY_CODES, _COUNTRY_WEIGHTS)[0]
        roll = r.random()
        if cc == "US" and roll < 0.012:
            return self.federal()
        if roll < 0.06:
            return self.parent_group(cc)
        tab = self.tab()
        name = self.with_form(self.base_name(cc), cc)
        if tab == "managed" and r.random() < 0.3:
            self.groups += 1
            group = f"LG{self.groups:07d}"
            rows = [self.row(name, tab, cc, group=group)]
            for _ in range(r.randint(1, 3)):
                other = name if r.random() < 0.4 else self.variant(name, cc)
                rows.append(self.row(other, tab, cc, group=group))
            return rows
        rows = [self.row(name, tab, cc)]
        if tab == "other" and r.random() < 0.06:
            rows.append(self.row(self.variant(name, cc), tab, cc, city=rows[0][5]))
        return rows

    def parent_group(self, cc: str) -> list[tuple]:
        """A parent (often in the catalogue itself) and 1-3 subsidiaries naming it (R4.8)."""
        r = self.r
        brand = self.brand()
        parent = self.with_form(f"{brand} {r.choice(_PARENT_WORD)}", cc)
        rows = [self.row(parent, self.tab(), cc)] if r.random() < 0.7 else []
        for _ in range(r.randint(1, 3)):
            sub_cc = cc if r.random() < 0.6 else r.choices(_COUNTRY_CODES, _COUNTRY_WEIGHTS)[0]
            if r.random() < 0.6:
                base = f"{brand} {r.choice((_COUNTRY_WORD[sub_cc], r.choice(_DESCRIPTOR)))} {r.choice(_INDUSTRY)}"
            else:  # acquired or merged: nothing in the name gives the parent away
                base = self.base_name(sub_cc)
            rows.append(self.row(self.with_form(base, sub_cc), self.tab(), sub_cc, parent=parent))
        return rows

    def federal(self) -> list[tuple]:
        """US federal bodies (R4.6): mostly in Other, a few managed to exercise the rule."""
        r = self.r
        roll = r.random()
        if roll < 0.4:
            name = f"Department of {r.choice(_AGENCY)}"
        else:
            lead = r.choice(("U.S.", "Federal", "National", "United States"))
            name = f"{lead} {r.choice(_FED_BODY)} {r.choice(_FED_KIND)}"
        city = r.choice(_COUNTRIES["US"][2])
        if r.random() < 0.7:
            name = f"{name} - {city} Regional Office"
        tab = "other" if r.random() < 0.85 else "managed"
        return [self.row(name, tab, "US", city=city, federal=True)]


def generate_accounts(n: int, seed: int = 1) -> Iterator[tuple]:
    """Exactly ``n`` account rows as tuples in ``FIELDS`` order; deterministic in ``seed``."""
    gen = _Gen(seed)
    made = 0
    while made < n:
        for row in gen.company():
            if made >= n:
                return
            made += 1
            yield row


def write_accounts(store, n: int, seed: int = 1, *, batch: int = 20_000) -> int:
    """Insert (or update) ``n`` generated accounts in one transaction; returns ``n``."""
    from model.accounts.catalogue import bulk_upsert

    with store.write() as session:
        session.info["wrote"] = True
        return bulk_upsert(session, generate_accounts(n, seed), expected=n, batch=batch)


def write_accounts_csv(path: str | os.PathLike, n: int, seed: int = 1) -> int:
    """The same catalogue as an import file (``cosell accounts import``)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(FIELDS)
        for row in generate_accounts(n, seed):
            out.writerow(["" if v is None else ("true" if v is True else "false" if v is False else v)
                          for v in row])
    return n
