#!/usr/bin/env python3
"""Generate the ``sample_data/`` corpus used by the quick-start report and the
end-to-end tests of ``topics``.

How to run (from the repository root)::

    . .venv/bin/activate
    python tools/make_sample_data.py

The script only uses the standard library, is fully seeded (``SEED`` below)
and rewrites exactly the same files every time: it deletes the seven theme
folders and the generated top-level files first, then writes them again.
The generated files are committed; this script is kept for reproducibility.
It writes nothing outside ``sample_data/``.

What the corpus contains
------------------------
All text is original, written for this project. Documents are composed from
hand-written, theme-specific sentence pools (five sub-subjects per theme plus
general sentences, about 65 sentences per theme) with slots for names, places
and numbers that stay consistent inside one document.

* Seven labelled themes, one first-level folder each (the folder name is the
  label): ``astronomy/ cooking/ football/ gardening/ finance/ medicine/
  music/``. Each holds 45 generated documents, mostly ``.txt`` with some
  ``.md`` (headings, a bullet list, a link) and some ``.html`` (``<title>``,
  ``<style>`` and ``<script>`` blocks that must not be read as text).
  Lengths range from about 40 to about 800 words.
* ``astronomy/observing_logs/``: a nested folder of short observing logs; its
  label is still ``astronomy``.
* Fourteen deliberately mixed documents (sports medicine, the music business,
  kitchen gardens, nutrition, football finance, gardening on prescription,
  music under the stars) placed in one of their two themes' folders, so that
  models can reasonably disagree about them.
* Hostile strings that a report must render literally, inside otherwise normal
  documents: ``cooking/reader-mailbag-odd-things-you-sent-us.txt`` quotes
  ``</script><script>alert(1)</script>`` and
  ``gardening/forum-digest-strange-characters-in-the-plant-swap.txt`` quotes
  ``{{ 7*7 }}`` and ``<img src=x onerror=alert(1)>``.
* Sentinels in every HTML file: the ``<script>`` blocks contain the token
  ``zzscriptsentinelzz`` and the ``<style>`` blocks ``zzstylesentinelzz``;
  neither word may ever reach a document's text or a topic.
* Top level (no folder, so no label from the path):
  - ``articles.jsonl``: 42 records with ``text``, ``title``, ``date``
    (ISO, January 2025 to June 2026), ``label`` and ``author``.
  - ``letters.csv``: 24 letters to the editor, columns ``date,author,body``
    (the text column, ``body``, has to be auto-detected).
  - ``broken_image.png``: a PNG signature followed by random bytes.
  - ``empty_notes.txt``: 0 bytes.
  - ``cafe_review_latin1.txt``: a short French/English cafe review encoded in
    ISO-8859-1 (é è à ç ...), which is not valid UTF-8.

There is intentionally no README inside ``sample_data/`` (it would be read as
a document); this docstring is the description of the corpus.
"""

# The sentence pools are long prose lines; wrapping them would hurt readability.
# ruff: noqa: E501

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import random
import re
import shutil
import textwrap
from pathlib import Path

SEED = 20250611
HERE = Path(__file__).resolve().parent.parent / "sample_data"

# ---------------------------------------------------------------------------
# Shared slot values
# ---------------------------------------------------------------------------

FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Daniel",
    "Elif",
    "Farid",
    "Grace",
    "Hamish",
    "Ines",
    "Jonas",
    "Keiko",
    "Liam",
    "Maya",
    "Nikhil",
    "Olivia",
    "Pavel",
    "Quinn",
    "Rosa",
    "Samuel",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Yusuf",
    "Zoe",
    "Aisha",
    "Bruno",
    "Clara",
    "Dmitri",
    "Esme",
    "Felix",
    "Hana",
    "Isaac",
    "Leila",
    "Marcus",
    "Nadia",
    "Oscar",
    "Priya",
    "Rhys",
    "Sofia",
]
LAST = [
    "Adeyemi",
    "Brennan",
    "Castillo",
    "Dawson",
    "Eriksen",
    "Fletcher",
    "Gallagher",
    "Hoffman",
    "Iqbal",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Mensah",
    "Nakamura",
    "O'Connell",
    "Patel",
    "Quintero",
    "Rahman",
    "Sorensen",
    "Thornton",
    "Underwood",
    "Varga",
    "Whitaker",
    "Yilmaz",
    "Zhang",
    "Okafor",
    "Moreau",
    "Haddad",
    "Novak",
    "Ashworth",
    "Byrne",
    "Costa",
    "Duval",
    "Ferreira",
    "Holm",
    "Kaur",
    "Lowe",
    "Marsh",
]
TOWNS = [
    "Millbrook",
    "Ashford",
    "Port Elwin",
    "Kestrel Bay",
    "Harlow Green",
    "Dunmore",
    "Cedar Falls",
    "Brackenridge",
    "Westholme",
    "Fennick",
    "Larchmont",
    "Stanwick",
    "Old Hatley",
    "Redbridge Cross",
    "Thornbury Vale",
    "Wexcombe",
    "Carrow",
    "Elmstead",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SMALL_WORDS = {
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
}
ORDINALS = [
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "fourteenth",
    "sixteenth",
    "eighteenth",
]

SHARED_LISTS = {"town": TOWNS, "weekday": WEEKDAYS, "month": MONTHS}
PERSON_KEYS = (
    "person",
    "person2",
    "chef",
    "gardener",
    "analyst",
    "doctor",
    "patient",
    "musician",
    "player",
    "manager",
)


def _money(lo: int, hi: int, step: int = 1) -> object:
    return lambda r: f"£{r.randrange(lo, hi + 1, step):,}"


# Numeric slots are drawn afresh every time they appear.
NUMERIC = {
    "n2": lambda r: SMALL_WORDS[r.randint(2, 9)],
    "years": lambda r: SMALL_WORDS[r.randint(2, 5)],
    "stars": lambda r: SMALL_WORDS[r.randint(3, 5)],
    "n": lambda r: str(r.randint(12, 96)),
    "big": lambda r: str(r.randrange(120, 981, 10)),
    "crowd": lambda r: f"{r.randint(3000, 42000):,}",
    "awayfans": lambda r: f"{r.randrange(300, 4001, 50):,}",
    "pct": lambda r: str(r.randint(5, 60)),
    "pct_b": lambda r: str(r.randint(3, 25)),
    "pct_s": lambda r: f"{r.randint(1, 29) / 10:.1f}",
    "smallpct": lambda r: str(r.randint(2, 9)),
    "rate": lambda r: f"{r.randint(25, 52) / 10:.1f}",
    "hour": lambda r: str(r.randint(7, 11)),
    "min2": lambda r: f"{r.randrange(5, 56, 5):02d}",
    "mins": lambda r: str(r.randint(5, 25)),
    "mins2": lambda r: str(r.randint(25, 55)),
    "temp": lambda r: str(r.randrange(160, 241, 10)),
    "price": _money(8, 18),
    "price2": _money(19, 34),
    "ticket": _money(15, 65),
    "weekbudget": _money(70, 130, 5),
    "monthsave": lambda r: str(r.randrange(40, 251, 5)),
    "deposit": lambda r: f"{r.randrange(18000, 60001, 500):,}",
    "grant": lambda r: f"{r.randrange(1500, 9501, 250):,}",
    "fee": lambda r: str(r.randint(2, 40)),
    "bigfee": lambda r: str(r.randrange(80, 401, 5)),
    "age": lambda r: str(r.randint(18, 33)),
    "shirt": lambda r: str(r.randint(2, 39)),
    "agegroup": lambda r: str(r.randint(8, 16)),
    "oil": lambda r: str(r.randint(62, 95)),
    "rev": lambda r: str(r.randrange(120, 951, 5)),
    "pence": lambda r: f"{r.randint(42, 385) / 10:.1f}",
    "albummin": lambda r: str(r.randint(32, 58)),
    "tracks": lambda r: str(r.randint(9, 14)),
    "ordinal": lambda r: r.choice(ORDINALS),
    "seeing": lambda r: str(r.randint(2, 5)),
    "limmag": lambda r: f"{r.randint(48, 64) / 10:.1f}",
}

# ---------------------------------------------------------------------------
# Theme content: every sentence below was written for this corpus.
# ---------------------------------------------------------------------------

THEMES: dict[str, dict] = {}

THEMES["astronomy"] = {
    "site": "Skyward Notes",
    "slots": {
        "planet": ["Jupiter", "Saturn", "Mars", "Venus", "Uranus", "Neptune"],
        "moon": ["Io", "Europa", "Ganymede", "Callisto"],
        "galaxy": [
            "Andromeda Galaxy",
            "Triangulum Galaxy",
            "Whirlpool Galaxy",
            "Sombrero Galaxy",
            "Pinwheel Galaxy",
            "Bode's Galaxy",
        ],
        "constellation": [
            "Cygnus",
            "Cassiopeia",
            "Sagittarius",
            "Perseus",
            "Scorpius",
            "Auriga",
            "Lyra",
            "Orion",
        ],
        "scope": [
            "an 8-inch Dobsonian",
            "a 102 mm refractor",
            "a 5-inch Maksutov",
            "a pair of 10x50 binoculars",
            "a 12-inch truss Dobsonian",
            "an 80 mm apochromatic refractor",
            "a 6-inch Newtonian on an equatorial mount",
        ],
        "observatory": [
            "Hollow Ridge Observatory",
            "the Kestrel Bay dark-sky site",
            "Mount Aldous Observatory",
            "the Brackenridge club field",
            "the Fennick Moor observing site",
        ],
        "comet": ["Comet C/2025 K3", "Comet C/2026 B2", "Comet 47P", "Comet C/2025 T1"],
    },
    "general": [
        "Light pollution from new street lamps has made the sky over {town} noticeably brighter in the last {n2} years.",
        "The {town} Astronomy Society meets on the first {weekday} of every month, and newcomers are always welcome.",
        "A planisphere remains the quickest way to learn the constellations, because it shows exactly which stars are up at any hour.",
        "Dark adaptation takes about twenty minutes, and a single glance at a bright phone screen resets it.",
        "The Moon is best observed near the terminator, where long shadows make craters and mountain ranges stand out.",
        "{person} says the best observing nights usually follow a cold front, when the air is clear and dry.",
        "Public stargazing evenings at {observatory} attracted {big} visitors over the autumn season.",
        "Keeping a logbook with the date, time, sky conditions and equipment makes it easy to compare views from one year to the next.",
        "Warm clothing matters more than expensive gear, since standing still under a clear winter sky gets cold very quickly.",
        "Seeing describes how steady the atmosphere is, while transparency describes how clear it is, and the two rarely peak together.",
    ],
    "subtopics": {
        "planets": {
            "titles": [
                "{planet} at its best this season",
                "Watching the moons of Jupiter from {town}",
                "A night with {planet} and {scope}",
                "Planetary imaging notes from {first}",
                "Why {planet} is worth staying up for",
            ],
            "sentences": [
                "{planet} reaches opposition this month, rising at sunset and staying above the horizon for most of the night.",
                "Through {scope}, the disc of {planet} showed subtle detail that sharpened whenever the seeing steadied.",
                "{first} sketched the four Galilean moons lined up on one side of Jupiter, with {moon} closest to the planet.",
                "Saturn's rings are tilting towards edge-on, so the ring system looks thinner every year until the crossing.",
                "Mars shows its bright polar cap best in the weeks around opposition, when the planet is at its closest.",
                "Venus blazed low in the western twilight, brighter than any star and bright enough to cast faint shadows at a dark site.",
                "A shadow transit of {moon} crossed the face of Jupiter shortly after {hour} p.m., a crisp black dot against the cloud belts.",
                "Mercury is notoriously hard to catch, and {person} only managed it on the third evening of trying, hovering just above the rooftops.",
                "Uranus and Neptune appear as tiny blue-green discs, and most observers need a finder chart to tell them apart from field stars.",
                "The Great Red Spot has shrunk noticeably over the past century, and amateur images now track its drift in longitude week by week.",
                "Titan, Saturn's largest moon, is easy to spot in small telescopes as a steady orange point a few ring-widths from the planet.",
                "Planetary imagers stack thousands of short video frames, keeping only the sharpest {pct} percent to beat atmospheric turbulence.",
            ],
        },
        "deep_sky": {
            "titles": [
                "Hunting the {galaxy}",
                "Deep-sky targets in {constellation}",
                "A dark-sky night at {observatory}",
                "Star hopping for beginners",
                "Faint fuzzies from a suburban garden",
            ],
            "sentences": [
                "The {galaxy} is a faint smudge in binoculars, but a long exposure reveals spiral arms laced with dust lanes.",
                "The Orion Nebula is a stellar nursery about 1,300 light-years away, where new stars are still forming inside glowing clouds of hydrogen.",
                "Globular clusters such as M13 in Hercules pack hundreds of thousands of ancient stars into a ball only a few dozen light-years wide.",
                "Under a moonless sky at {observatory}, the Milky Way through {constellation} showed dark rifts of dust that are invisible from town.",
                "An O-III filter dramatically improved the view of the Veil Nebula, turning a faint haze into delicate looping filaments.",
                "Double stars are ideal targets when the Moon is bright, and the gold and blue pair of Albireo remains a club favourite.",
                "{person} logged {n} Messier objects in a single night during the spring marathon, finishing with a faint galaxy low in the dawn sky.",
                "Variable stars reward patient observers, since brightness estimates made against comparison stars over many weeks reveal a light curve.",
                "Open clusters such as the Pleiades look best at low magnification, where the whole group fits comfortably in the eyepiece.",
                "The Ring Nebula in Lyra is a shell of gas thrown off by a dying Sun-like star, and at high power it looks like a tiny smoke ring.",
                "Faint galaxies are best found by star hopping from a bright guide star, moving one finder field at a time.",
                "The orange glow of Arcturus contrasts nicely with blue-white Vega, and both are easy to find on early summer evenings.",
            ],
        },
        "equipment": {
            "titles": [
                "Choosing a first telescope",
                "Review: {scope} after six months",
                "Why your telescope needs time to cool",
                "Equipment notes from the {town} club",
                "Buying second-hand optics without regrets",
            ],
            "sentences": [
                "{person} recommends {scope} as a first instrument, because it is simple to set up and shows a surprising amount.",
                "Collimating a reflector takes only a few minutes once you understand how the secondary and primary mirrors line up.",
                "A large mirror needs roughly {n} minutes to cool to the outside temperature before the views settle down.",
                "Eyepieces with a wide apparent field make star hopping easier, although they add weight and cost.",
                "Dew forms on exposed optics on humid nights, so a simple heater strap or dew shield can rescue an observing session.",
                "Equatorial mounts track the sky with a single motor once they are polar-aligned, which matters for long-exposure photography.",
                "The club's loan scheme lends {scope} to members for {n2} weeks at a time, with a printed guide to the basics.",
                "Aperture matters most for faint galaxies, while a small refractor often gives crisper views of the Moon and planets.",
                "A red torch preserves night vision, and many observers cover their phone screens with red film for the same reason.",
                "Go-to mounts can find thousands of objects automatically, but learning the sky by hand still teaches a great deal.",
                "Used telescopes sell for about half their new price, and a second-hand Dobsonian is often the best value for money.",
                "A solar filter must cover the front of the telescope completely, and old screw-in eyepiece filters for the Sun should be thrown away.",
            ],
        },
        "events": {
            "titles": [
                "{comet} brightens in the evening sky",
                "Meteor watch report from {town}",
                "Eclipse day at {observatory}",
                "Fireball seen over {town}",
                "What to look for in the sky this {month}",
            ],
            "sentences": [
                "The Perseid meteor shower peaks in mid-August, and a dark site can show {n} meteors an hour before dawn.",
                "{comet} brightened faster than predicted and briefly showed a short dust tail in binoculars.",
                "During the partial solar eclipse, the club set up projection screens so visitors could watch the Moon take a bite out of the Sun.",
                "A total lunar eclipse turns the Moon a coppery red as sunlight filtered through Earth's atmosphere falls on its surface.",
                "Forecasters warned that cloud might spoil the event, but a gap opened over {town} just in time.",
                "The Geminids in December are often the richest shower of the year, producing bright, slow meteors from a rocky parent body.",
                "An occultation occurs when the Moon passes in front of a star or planet, and precise timings of the disappearance are useful to researchers.",
                "{person} photographed a fireball that lit up the sky over {town} at {hour}:{min2} on a {weekday} night.",
                "Aurora alerts spread quickly on social media when the solar wind is strong, and even southern counties saw a red glow.",
                "Close pairings of the Moon and bright planets are easy to see from the city and make a good introduction for beginners.",
                "The International Space Station crosses the sky in a few minutes and is often the brightest object after the Moon.",
            ],
        },
        "research": {
            "titles": [
                "How astronomers find exoplanets",
                "Amateurs join the hunt for hot Jupiters",
                "Inside the survey at {observatory}",
                "What spectroscopy tells us about stars",
                "The quiet revolution in citizen science",
            ],
            "sentences": [
                "Spectroscopy splits starlight into its colours, revealing what a star is made of and how fast it moves towards or away from us.",
                "Most known exoplanets were found by the transit method, which watches for tiny dips in a star's brightness.",
                "The probe will spend {n2} years cruising to the outer planets, using gravity assists to save fuel.",
                "Amateur astronomers contributed {big} transit timings to a professional study of hot Jupiters last year.",
                "Radio telescopes map cold hydrogen gas that optical instruments cannot see, tracing the spiral structure of the Milky Way.",
                "Infrared observatories peer through dust clouds to reveal protostars still wrapped in their birth material.",
                "Researchers at {observatory} published a catalogue of {big} variable stars drawn from a decade of survey images.",
                "The expansion of the universe was first inferred from the redshift of distant galaxies, which grows with their distance.",
                "Citizen science projects ask volunteers to classify the shapes of galaxies, and their votes have trained many automated classifiers.",
                "Sample-return missions bring asteroid dust back to Earth, where laboratories can study it with instruments too heavy to launch.",
                "{person}, an astrophysicist, explained that dark matter has never been detected directly, although its gravity shapes every large galaxy.",
            ],
        },
    },
}

THEMES["cooking"] = {
    "site": "The Weeknight Kitchen",
    "slots": {
        "dish": [
            "risotto",
            "shakshuka",
            "ramen",
            "lasagne",
            "paella",
            "dal",
            "ratatouille",
            "fish pie",
            "moussaka",
            "goulash",
            "tagine",
            "gnocchi",
            "chowder",
            "minestrone",
        ],
        "ingredient": [
            "garlic",
            "shallots",
            "smoked paprika",
            "cumin",
            "fresh basil",
            "lemon zest",
            "fennel seeds",
            "ginger",
            "white miso",
            "anchovies",
            "thyme",
            "chickpeas",
            "coriander",
            "saffron",
        ],
        "restaurant": [
            "The Copper Pot",
            "Luna Trattoria",
            "Saffron & Salt",
            "The Harbour Kitchen",
            "Maison Petit",
            "Ember Grill",
            "Olive Street Bistro",
        ],
    },
    "general": [
        "Good ingredients need very little help, and the best cooks know when to stop adding things.",
        "The recipe serves four generously and can be doubled without any changes.",
        "{chef} says the most useful kitchen skill is tasting constantly and adjusting the seasoning.",
        "Soft herbs should go in at the end, while hardy ones such as rosemary and thyme can cook for longer.",
        "Readers from {town} sent in {n} versions of their grandmothers' {dish}, each one slightly different.",
        "Getting everything chopped and measured before the heat goes on prevents panic at the stove.",
        "Leftovers keep well in the fridge for two days and often taste even better the next day.",
        "Swap the meat for mushrooms and smoked tofu to make the dish fully vegetarian.",
        "The cookbook is organised by season, which nudges cooks to use produce when it is cheapest and tastiest.",
        "Serve it with crusty bread, a sharp green salad and something cold to drink.",
    ],
    "subtopics": {
        "technique": {
            "titles": [
                "Getting the base of a {dish} right",
                "Five lessons from a week at the stove",
                "How {chef} builds flavour",
                "The case for cooking onions slowly",
                "Small habits that make a big difference to {dish}",
            ],
            "sentences": [
                "Sweat the onions slowly over a low heat for {mins} minutes until they turn soft and golden rather than brown.",
                "Salting the aubergine an hour ahead draws out moisture, so it fries instead of soaking up oil.",
                "A hot pan and dry meat are the secret to a good sear, so pat everything with kitchen paper before it goes in.",
                "Deglaze the pan with a splash of white wine, scraping up the browned bits that hold most of the flavour.",
                "{chef} finishes every sauce with a knob of cold butter, swirled in off the heat so it turns glossy instead of greasy.",
                "Toast whole spices such as cumin and coriander seed in a dry pan until fragrant, then grind them just before use.",
                "Resting a roast for {mins} minutes lets the juices settle, so the slices stay moist on the plate.",
                "Season in layers, tasting as you go, rather than adding all the salt at the end.",
                "A squeeze of lemon at the last moment lifts a heavy stew and balances the richness of the fat.",
                "Blanch green vegetables in well-salted boiling water, then plunge them into iced water to keep their colour bright.",
                "For the {dish}, add the {ingredient} early so its flavour can melt into the base.",
                "Keep a bowl of starchy pasta water nearby, because a ladleful will bring a thin sauce together in seconds.",
            ],
        },
        "baking": {
            "titles": [
                "A focaccia for nervous bakers",
                "Notes from a sourdough starter's first month",
                "Why your sponge sank",
                "Weekend baking with {first}",
                "The science of a flaky pastry crust",
            ],
            "sentences": [
                "Bake the loaf at {temp} degrees for {mins2} minutes, until the crust is deep brown and the base sounds hollow when tapped.",
                "A sourdough starter needs regular feeding with equal weights of flour and water to stay lively.",
                "Weighing ingredients on a digital scale is far more reliable than using cups, especially for flour.",
                "Cold butter rubbed into the flour creates the flaky layers that make a good pastry crust.",
                "{first} adds a tablespoon of cocoa to the chocolate cake batter to deepen the colour without making it bitter.",
                "Let the dough prove until it has roughly doubled in size, which can take anywhere from one to three hours in a cool kitchen.",
                "Opening the oven door too early can make a sponge collapse, so resist the urge to peek.",
                "Blind baking the tart case with ceramic beans stops the base from puffing up and turning soggy.",
                "A pinch of salt in sweet bakes sharpens the flavour and keeps caramel from tasting flat.",
                "The focaccia gets its dimpled top from pressing oiled fingertips into the dough just before it goes into the oven.",
                "Brown butter gives cookies a nutty, toffee-like depth that plain melted butter cannot match.",
            ],
        },
        "review": {
            "titles": [
                "Review: {restaurant}, {town}",
                "Dinner at {restaurant}",
                "A neighbourhood bistro worth crossing town for",
                "Is {restaurant} still the best table in {town}?",
                "Lunch, briefly reviewed: {restaurant}",
            ],
            "sentences": [
                "{restaurant} in {town} has a short menu that changes weekly, and that focus shows on the plate.",
                "The {dish} arrived piping hot, generously seasoned and fragrant with {ingredient}.",
                "Service was warm but slow, with a gap of almost {mins2} minutes between starters and mains.",
                "Dessert was the highlight: a wobbling panna cotta with poached rhubarb and a crisp almond biscuit.",
                "Prices are fair for the quality, with main courses between {price} and {price2}.",
                "The dining room is small and noisy, so book ahead and ask for a table by the window.",
                "{chef} trained in Lyon before opening the restaurant, and classic French technique runs through the menu.",
                "The wine list is short but thoughtful, with several bottles from small producers available by the glass.",
                "Our only complaint was an over-salted side of greens that tasted like an afterthought.",
                "Bread came warm with cultured butter, a small gesture that set the tone for the meal.",
                "We left full and happy, already planning which dishes to order on the next visit.",
            ],
        },
        "preserving": {
            "titles": [
                "Sauerkraut, the easy way",
                "A beginner's guide to fermenting vegetables",
                "Jam with less sugar",
                "What {first} keeps in the pickle cupboard",
                "Preserving the summer glut",
            ],
            "sentences": [
                "Sauerkraut needs nothing more than shredded cabbage and about two percent salt by weight.",
                "Keep the vegetables submerged under the brine, because anything exposed to air can grow mould.",
                "Kimchi ferments quickly at room temperature and then slows down once it moves to the fridge.",
                "{first} makes jam with less sugar than most recipes, relying on lemon juice and a long simmer to help it set.",
                "Sterilise jars in a low oven or a hot dishwasher cycle before filling them with hot preserves.",
                "Homemade yoghurt only needs warm milk and a spoonful of live yoghurt from the last batch.",
                "Quick pickles made with vinegar, sugar and salt are ready in a day and keep for weeks in the fridge.",
                "A batch of preserved lemons lasts for months and adds a bright, salty note to tagines and dressings.",
                "The smell of active fermentation is sour and pleasant, while anything that smells rotten means the batch should be thrown out.",
                "Miso takes months to mature, and some home cooks keep a crock going for a year before tasting it.",
                "Label every jar with the date and ingredients, since fermented foods look alike after a few weeks on the shelf.",
            ],
        },
        "weeknight": {
            "titles": [
                "Feeding a family on a budget",
                "Five store-cupboard dinners",
                "Sunday batch cooking: {dish} for the week",
                "The one-pan dinner, defended",
                "Kitchen kit that is actually worth buying",
            ],
            "sentences": [
                "A well-stocked store cupboard with tinned tomatoes, dried pasta, lentils and rice makes a quick dinner possible on any night.",
                "Batch cooking a big pot of {dish} on Sunday covers {n2} lunches for the week ahead.",
                "A sharp chef's knife is safer than a blunt one, because it cuts cleanly instead of slipping.",
                "Cast-iron pans improve with use, building up a natural non-stick seasoning over time.",
                "Frozen peas, spinach and sweetcorn are picked at their peak and are often better value than fresh.",
                "{person} feeds a family of four on about {weekbudget} a week by planning meals around what is on offer.",
                "One-pan dinners save on washing up, and a tray of roasted vegetables with chickpeas needs almost no attention.",
                "Leftover rice should be cooled quickly and reheated only once to stay safe.",
                "A simple dressing of olive oil, mustard, vinegar and honey keeps for a week in a jar.",
                "Getting children involved in cooking, even just washing vegetables, makes them more willing to try new food.",
                "A slow cooker turns cheap cuts such as shin of beef into something tender and rich while you are at work.",
            ],
        },
    },
}

THEMES["football"] = {
    "site": "Touchline Weekly",
    "slots": {
        "club": [
            "Riverside Athletic",
            "Northgate United",
            "Harbour City",
            "Ashford Rovers",
            "Millbrook Town",
            "Kestrel Bay FC",
            "Dunmore Wanderers",
            "Westholme Albion",
            "Cedar Park Rangers",
        ],
        "stadium": [
            "Mill Lane",
            "the Harbour Stadium",
            "Victoria Park",
            "the Ashford Ground",
            "Kingsway Arena",
            "Brook Road",
        ],
        "position": [
            "striker",
            "centre-back",
            "left-back",
            "goalkeeper",
            "holding midfielder",
            "winger",
            "right-back",
        ],
    },
    "general": [
        "{club} have lost only once in their last {n2} league matches.",
        "The fixture list is relentless in December, with three matches in eight days.",
        "Injuries to key players have forced the manager to rotate the squad more than anyone would like.",
        "The cup run has brought in valuable gate receipts for a club of this size.",
        "Training resumes on Monday with a light session focused on recovery.",
        "The captain said the dressing room remained confident despite the poor run of results.",
        "Relegation would cost the club millions in lost broadcast revenue.",
        "A goal-line clearance kept the scores level going into the final stages.",
        "The league has confirmed that semi-automated offside technology will be used from next season.",
        "Pundits tipped {club} for promotion before a ball had been kicked.",
    ],
    "subtopics": {
        "match_report": {
            "titles": [
                "{club} 2 {club2} 1: late winner settles it",
                "Match report: {club} v {club2}",
                "{player} the hero at {stadium}",
                "Ten men hold on at {stadium}",
                "{club} edge a scrappy derby",
            ],
            "sentences": [
                "{club} beat {club2} at {stadium} on {weekday}, with the winner arriving after {n} minutes.",
                "{player} opened the scoring with a low shot from the edge of the area that skidded past the goalkeeper's dive.",
                "The visitors dominated possession in the first half but created very little against a compact back four.",
                "A corner was headed back across goal, and the unmarked {position} nodded in from close range.",
                "The referee awarded a penalty after a clumsy challenge in the box, and the spot kick was sent low into the corner.",
                "{club2} hit the post twice before half-time and will wonder how they went in level.",
                "Substitutions changed the game, as two fresh wingers stretched a tiring defence.",
                "The goalkeeper made a superb double save in stoppage time to protect the lead.",
                "A crowd of {crowd} saw the home side extend their unbeaten run to {n2} matches.",
                "A red card for a late tackle left the visitors with ten men for the final {mins} minutes.",
                "The result lifts {club} to {ordinal} in the table, {n2} points clear of the relegation places.",
                "After the final whistle, {manager} praised the players' character but admitted the performance had been scrappy.",
            ],
        },
        "transfers": {
            "titles": [
                "{club} close in on {position} signing",
                "Transfer round-up: deadline week",
                "Why {club} sold their captain",
                "{player} completes move to {club}",
                "Inside a club's recruitment department",
            ],
            "sentences": [
                "{club} have agreed a fee of around {fee} million pounds for the {position}, subject to a medical.",
                "The {age}-year-old {player} has signed a {years}-year contract and will wear the number {shirt} shirt.",
                "Scouts had watched the player more than a dozen times across two seasons before the club made its move.",
                "The deal includes a sell-on clause, meaning the selling club will receive a share of any future transfer fee.",
                "Supporters were divided over the sale of their captain, who had been at the club since joining the academy.",
                "A loan move gives the young striker regular first-team football in a lower division.",
                "{manager} insisted the club would not sell key players in the final week of the window.",
                "Wages, not transfer fees, are often the biggest obstacle in negotiations with experienced players.",
                "Agents from three countries were reported to be circling the midfielder after a string of fine performances in the cup.",
                "The director of football said recruitment now focuses on players under twenty-four with resale value.",
                "Medical checks at the training ground took most of the day before the signing was finally confirmed.",
            ],
        },
        "tactics": {
            "titles": [
                "How {manager} rebuilt the midfield",
                "The back three explained",
                "Why pressing only works together",
                "Set pieces are winning {club} games",
                "Tactical notebook: {club} v {club2}",
            ],
            "sentences": [
                "{manager} switched to a back three, allowing the wing-backs to push high and pin the opposition full-backs.",
                "High pressing only works when the whole team moves together, because one player jogging leaves a gap to exploit.",
                "The holding midfielder drops between the centre-backs in possession, creating an extra passing angle from the back.",
                "Set pieces decided {n2} of the team's last twelve matches, and the coaching staff now devote a whole session to them each week.",
                "Expected goals suggested the side had been unlucky, creating chances worth almost two goals per game.",
                "Playing out from the goalkeeper invites pressure, but it drags opponents forward and opens space in midfield.",
                "Against deep defences, overlapping full-backs provide the width needed to deliver early crosses.",
                "The striker's movement between the lines pulled centre-backs out of position and created room for runners.",
                "Counter-attacking teams are happy to concede possession if they can break quickly into the space behind.",
                "{manager} admitted the formation mattered less than the distances between players when the ball is lost.",
                "Analysts track sprint counts and pressing actions to see which players are carrying the load.",
            ],
        },
        "grassroots": {
            "titles": [
                "Saturday mornings at {town} Juniors",
                "The volunteers who keep grassroots football alive",
                "Walking football takes off in {town}",
                "A muddy Sunday league final",
                "Where {player} learned the game",
            ],
            "sentences": [
                "The under-{agegroup} team at {town} Juniors trains on a floodlit pitch behind the leisure centre every {weekday} evening.",
                "Volunteer coaches give up their weekends to run matches, mark out pitches and wash kits.",
                "A grant of {grant} pounds will pay for new goalposts and a storage container.",
                "The girls' section has grown from one team to {n2} in three years.",
                "Small-sided games give children more touches of the ball and more chances to make decisions.",
                "Parents have been asked to cheer positively from behind a rope line and leave the coaching to the coaches.",
                "The Sunday league final was played in driving rain, and both teams were covered in mud by half-time.",
                "{player} started at {town} Juniors before joining a professional academy at the age of twelve.",
                "Referee shortages mean some weekend fixtures are officiated by club volunteers with minimal training.",
                "Walking football has become popular with older players who want to keep fit without the sprinting.",
                "The club's annual six-a-side tournament raised {grant} pounds for a local charity.",
            ],
        },
        "fans": {
            "titles": [
                "Supporters protest season ticket rise",
                "A matchday at {stadium}",
                "The fanzine that refuses to fold",
                "Safe standing arrives at {stadium}",
                "What the new stand means for {club} fans",
            ],
            "sentences": [
                "Season ticket prices at {stadium} will rise by {smallpct} percent next year, prompting protests from supporters' groups.",
                "Around {awayfans} away fans made the long trip and sang throughout the second half.",
                "The new safe-standing section has transformed the atmosphere behind the goal.",
                "The fanzine has been published since the 1980s and is still sold outside the ground on matchdays.",
                "Members of the supporters' trust voted overwhelmingly to back plans for a redeveloped stand.",
                "Ticket touts and inflated resale prices remain a problem for the biggest cup ties.",
                "The club shop sold out of the new home shirt within a week of its release.",
                "Pubs near the stadium rely heavily on matchday trade, especially during the winter months.",
                "A floodlight failure delayed kick-off by forty minutes, and some fans left before the game began.",
                "A minute's applause was held before kick-off in memory of the club's former captain.",
                "Fans of {club} chanted the name of {player} long after the final whistle.",
            ],
        },
    },
}

THEMES["gardening"] = {
    "site": "Plot and Potting Shed",
    "slots": {
        "veg": [
            "tomatoes",
            "runner beans",
            "courgettes",
            "leeks",
            "beetroot",
            "squash",
            "broad beans",
            "chillies",
            "kale",
            "parsnips",
        ],
        "flower": [
            "dahlias",
            "sweet peas",
            "cosmos",
            "roses",
            "penstemons",
            "salvias",
            "zinnias",
            "hardy geraniums",
        ],
        "garden": [
            "the walled garden at Hollins Hall",
            "the Ashford community allotments",
            "Greenbank Nursery",
            "the Millbrook botanic garden",
            "the Old Rectory garden",
        ],
    },
    "general": [
        "Every garden is different, so learn your own conditions before copying a plan from a book.",
        "Seed swaps at {town} library have become a popular way to share local varieties.",
        "A garden journal helps track sowing dates, harvests and what went wrong.",
        "Native plants support far more insects than exotic ones, which matters for the birds further up the food chain.",
        "{gardener} says patience is the most important tool in the shed.",
        "Gardening has been linked to better mood and lower stress, whether on a balcony or a large plot.",
        "Good secateurs, a spade and a hand fork will handle most jobs in a small garden.",
        "Wildlife ponds do not need to be large, and even a buried washing-up bowl will attract frogs.",
        "Garden centres in {town} report strong demand for perennials and fruit bushes this season.",
        "By late afternoon the light turns golden, which is the perfect time to sit and enjoy the results.",
    ],
    "subtopics": {
        "vegetables": {
            "titles": [
                "A year on plot {n}",
                "Growing {veg} without a greenhouse",
                "Allotment diary: {month}",
                "What {gardener} grows on a single bed",
                "The allotment waiting list in {town}",
            ],
            "sentences": [
                "Sow {veg} indoors in early spring and move them outside only after the last frost.",
                "Runner beans need a sturdy frame of canes, because a full crop in late summer is surprisingly heavy.",
                "Earthing up potatoes protects the tubers from light, which would otherwise turn them green.",
                "Thin carrot seedlings on a still evening to avoid attracting carrot fly with the scent.",
                "{gardener} grows {n2} varieties of {veg} on a single plot and keeps notes on which crop earliest.",
                "Courgettes produce so freely that picking every other day is the only way to keep up.",
                "Plant garlic cloves in autumn, pointed end up, about a hand's width apart.",
                "Sowing a short row of salad leaves every two weeks gives a steady harvest instead of a glut.",
                "Greenhouse tomatoes need regular watering and a weekly feed once the first truss has set.",
                "Rhubarb crowns should be left alone in their first year so they can build up strength.",
                "Crop rotation moves each family of vegetables to a new bed every year to limit soil-borne disease.",
                "The waiting list for an allotment in {town} is now more than {n} names long.",
            ],
        },
        "flowers": {
            "titles": [
                "A border that flowers from May to October",
                "In praise of {flower}",
                "Cut flowers from a small garden",
                "Planting bulbs for next spring",
                "Colour notes from {garden}",
            ],
            "sentences": [
                "Dahlias can stay in the ground over winter in mild areas if the crowns are protected with a thick mulch.",
                "Deadheading {flower} regularly encourages the plants to keep producing new blooms.",
                "Sweet peas should be picked often, because once they set seed they stop flowering.",
                "Lavender prefers poor, free-draining soil and full sun, and it sulks in heavy wet clay.",
                "A border planted in drifts of three or five looks more natural than single plants dotted about.",
                "Tulip bulbs go in late, in November, which helps them avoid the fungal disease known as tulip fire.",
                "Hellebores brighten the darkest weeks of winter, and their nodding flowers last for months.",
                "{gardener} chose a palette of purples and silvers for the gravel garden, with grasses to catch the light.",
                "Clematis are grouped by pruning needs, so check the label before cutting anything back.",
                "Cut flowers last longer if they are picked in the cool of the morning and put straight into water.",
                "Roses benefit from a generous mulch of well-rotted manure in early spring.",
            ],
        },
        "soil": {
            "titles": [
                "The secret life of a compost heap",
                "Why no-dig works",
                "Making leaf mould",
                "Understanding your soil",
                "How {gardener} fixed a clay garden",
            ],
            "sentences": [
                "A good compost heap mixes green material such as grass clippings with brown material such as cardboard and dry leaves.",
                "Turning the heap every few weeks adds air and speeds up decomposition.",
                "Leaf mould takes about two years to make but produces a superb crumbly soil conditioner.",
                "Heavy clay soil holds nutrients well but needs plenty of organic matter to improve drainage.",
                "A simple soil test kit shows whether the ground is acidic or alkaline, which decides what will thrive.",
                "No-dig beds are built by laying cardboard on the ground and covering it with a thick layer of compost.",
                "Worm bins turn kitchen scraps into rich castings and fit comfortably on a balcony.",
                "Green manures such as clover and phacelia protect bare soil over winter and add nitrogen.",
                "Avoid walking on wet beds, because compaction squeezes the air out of the soil.",
                "{gardener} has added {n} barrow-loads of compost to the beds since taking over the plot.",
                "Mulching in spring locks in moisture and suppresses weeds through the summer.",
            ],
        },
        "pests": {
            "titles": [
                "Living with slugs",
                "Blight watch: {month}",
                "A garden without sprays",
                "Who eats the aphids?",
                "Pest patrol at {garden}",
            ],
            "sentences": [
                "Slugs are most active on damp nights, and a patrol with a torch is more effective than any pellet.",
                "Aphids cluster on soft new growth, but ladybirds and lacewings soon arrive to eat them.",
                "Blight spreads quickly in warm, humid weather and can wipe out a crop of tomatoes or potatoes within days.",
                "Netting cabbages keeps cabbage white butterflies from laying eggs on the leaves.",
                "Powdery mildew appears when plants are dry at the roots, so consistent watering helps prevent it.",
                "Encouraging birds, frogs and hedgehogs provides a natural team of pest controllers.",
                "Vine weevil grubs eat the roots of container plants, and the first sign is often a wilting plant in moist compost.",
                "Companion planting marigolds near tomatoes may deter whitefly, though the evidence is mixed.",
                "{gardener} stopped using chemical sprays {n2} years ago and says the garden has never been healthier.",
                "Remove diseased leaves and bin them rather than composting them, to avoid spreading spores.",
                "Box blight and box tree caterpillar have led many gardeners to replace their hedges with alternatives.",
            ],
        },
        "seasonal": {
            "titles": [
                "Jobs for the garden in {month}",
                "Planting a fruit tree",
                "Let the lawn grow",
                "Saving water in a dry summer",
                "Open day at {garden}",
            ],
            "sentences": [
                "Autumn is the best time to plant trees, while the soil is still warm and rain is plentiful.",
                "Apple trees are pruned in winter to shape them and in summer to control their size.",
                "Leaving part of the lawn unmown creates a small meadow for bees and butterflies.",
                "A water butt collects hundreds of litres from a single shed roof over a wet spring.",
                "Scarifying the lawn in September removes thatch and lets air and water reach the roots.",
                "Hedges should not be cut during the bird nesting season, which runs from March to August.",
                "{gardener} planted a row of {n2} apple trees as cordons along the fence to save space.",
                "In dry summers, water deeply once a week rather than a little every day, to encourage deep roots.",
                "Greenhouse heaters keep tender plants frost-free, but bubble-wrap insulation is a cheaper first step.",
                "The open day at {garden} raised money for the local hospice and drew {big} visitors.",
                "Frost pockets form at the bottom of slopes, where cold air collects on still nights.",
            ],
        },
    },
}

THEMES["finance"] = {
    "site": "The Ledger Daily",
    "slots": {
        "company": [
            "Northwind Logistics",
            "Alder Pharmaceuticals",
            "Brightline Energy",
            "Kestrel Software",
            "Meridian Retail",
            "Castleton Mining",
            "Orchard Foods Group",
            "Silverpeak Telecom",
        ],
        "index": [
            "the FTSE 100",
            "the S&P 500",
            "the Euro Stoxx 50",
            "the Nikkei 225",
            "the FTSE 250",
        ],
        "bank": ["the Bank of England", "the Federal Reserve", "the European Central Bank"],
        "bankfirm": [
            "Harbourview Bank",
            "Castlegate Capital",
            "Redfern Securities",
            "Aldgate Partners",
            "Pennine Asset Management",
        ],
    },
    "general": [
        "Past performance is not a reliable guide to future returns, and investments can fall as well as rise.",
        "The figures were published before the market opened in London.",
        "{analyst}, a senior economist at {bankfirm}, said the outlook remained unusually uncertain.",
        "Regulators are consulting on new rules to make fees clearer for retail investors.",
        "Small businesses in {town} say access to credit has become harder over the past year.",
        "Currency movements can add to or subtract from the returns on overseas investments.",
        "The annual report runs to {big} pages, but the key numbers are on the first few.",
        "Higher interest rates have made cash savings attractive again after a decade of near-zero returns.",
        "Markets dislike uncertainty, and the run-up to an election is often choppy.",
        "Households on fixed incomes feel the squeeze most when prices rise quickly.",
    ],
    "subtopics": {
        "markets": {
            "titles": [
                "Markets wrap: {weekday}",
                "Shares in {company} slide after profit warning",
                "Bond yields climb on strong jobs data",
                "Oil rallies as supply tightens",
                "Why gold keeps hitting records",
            ],
            "sentences": [
                "{index} closed {pct_s} percent higher on {weekday}, led by gains in banking and energy shares.",
                "Government bond yields rose sharply after stronger-than-expected jobs data reduced hopes of an early rate cut.",
                "The pound weakened against the dollar as traders reassessed the outlook for interest rates.",
                "Oil prices climbed to {oil} dollars a barrel after producers signalled further supply cuts.",
                "Trading volumes were thin ahead of the holiday, which exaggerated price moves in smaller stocks.",
                "Shares in {company} fell {pct_b} percent after the company cut its full-year guidance.",
                "Gold hit a record high as investors looked for safety amid geopolitical tension.",
                "Volatility jumped in the afternoon session before calmer conditions returned near the close.",
                "Market strategist {analyst} said valuations look stretched in technology but reasonable in industrials.",
                "Defensive sectors such as utilities and consumer staples outperformed as worries about growth resurfaced.",
                "The yield curve remains inverted, a pattern that has preceded several past recessions.",
            ],
        },
        "personal": {
            "titles": [
                "Building an emergency fund",
                "How {person} cut the household bills",
                "The savings rates worth chasing",
                "First-time buyers in {town}",
                "Your money: a checklist for the new year",
            ],
            "sentences": [
                "Building an emergency fund worth three to six months of essential spending is the first step before investing.",
                "Paying off high-interest credit card debt delivers a guaranteed return that few investments can match.",
                "{person} cut household spending by {monthsave} pounds a month by cancelling unused subscriptions and switching energy supplier.",
                "Easy-access savings accounts now pay around {rate} percent, although the best rates often come from smaller banks.",
                "A simple budget splits income into needs, wants and savings, and reviews the split every few months.",
                "Fixed-rate mortgages ending this year will leave many borrowers facing noticeably higher monthly payments.",
                "Check your credit report at least once a year to spot errors before applying for a loan.",
                "Automatic transfers on payday make saving a habit rather than a decision.",
                "First-time buyers in {town} need an average deposit of about {deposit} pounds.",
                "Comparison sites are useful, but read the small print on fees and early repayment charges.",
                "Financial adviser {analyst} says the biggest mistake is keeping long-term savings in cash, where inflation erodes their value.",
            ],
        },
        "macro": {
            "titles": [
                "{bank} holds rates",
                "Inflation eases again in {month}",
                "Why productivity matters for your pay",
                "The budget squeeze explained",
                "Economists split on the chance of recession",
            ],
            "sentences": [
                "{bank} held interest rates at {rate} percent, although {n2} members of the committee voted for a cut.",
                "Inflation eased to {rate} percent in the year to {month}, helped by lower energy and food prices.",
                "Unemployment remains low, but wage growth has started to slow as vacancies fall.",
                "The government's fiscal rules limit borrowing, leaving little room for new spending ahead of the budget.",
                "Economists expect growth of around one percent this year, held back by weak business investment.",
                "Consumer confidence improved for a third consecutive month as real incomes recovered.",
                "The trade deficit widened as imports of machinery rose faster than exports.",
                "Higher mortgage costs are weighing on the housing market, with house prices roughly flat over the year.",
                "Central bankers warned that services inflation remains sticky despite falling goods prices.",
                "Productivity growth has been disappointing since the financial crisis, which limits how fast wages can rise.",
                "Public debt as a share of national income is close to its highest level in sixty years.",
            ],
        },
        "earnings": {
            "titles": [
                "{company} results: revenue up, margins down",
                "{company} raises dividend",
                "Results preview: what to watch at {company}",
                "A profit warning, decoded",
                "{company} chief sets out three-year plan",
            ],
            "sentences": [
                "{company} reported revenue of {rev} million pounds, up {pct_b} percent on the previous year.",
                "Operating margins narrowed as higher wage and freight costs outpaced price increases.",
                "The board declared a dividend of {pence} pence per share and announced a share buyback programme.",
                "Chief executive {person} told analysts that demand had been stronger in the second half.",
                "The cost-cutting plan will remove around {big} roles, mostly from head office.",
                "Net debt fell after the sale of a non-core division, strengthening the balance sheet.",
                "Analysts had expected weaker figures, so the shares rose despite a drop in profit.",
                "The order book stands at a record level, giving good visibility into next year.",
                "Capital expenditure will rise as the group invests in automation at its main warehouse.",
                "A one-off impairment charge on an overseas acquisition pushed the company into a statutory loss.",
                "Guidance for the coming year assumes no improvement in consumer spending.",
            ],
        },
        "investing": {
            "titles": [
                "The quiet power of index funds",
                "Rebalancing, explained",
                "Pensions: why starting early matters",
                "Should you chase last year's winners?",
                "A beginner's portfolio, by {analyst}",
            ],
            "sentences": [
                "Low-cost index funds that track the whole market have beaten most actively managed funds over long periods.",
                "Diversifying across shares, bonds and regions reduces the damage any single investment can do.",
                "Fees of even one percent a year compound into a large sum over a thirty-year horizon.",
                "Investing a fixed amount each month smooths out the effect of market swings on the average purchase price.",
                "Pension contributions attract tax relief, making them one of the most efficient ways to save for retirement.",
                "Rebalancing once a year brings a portfolio back to its target mix after strong or weak markets.",
                "{analyst} warns investors not to chase last year's best-performing fund, because winners rarely repeat.",
                "Bonds tend to cushion portfolios when share prices fall, although that relationship broke down in 2022.",
                "Reinvested dividends quietly account for a large share of long-term stock market returns.",
                "Investors with a long time horizon can afford to ride out volatility that would worry a retiree.",
                "A stocks and shares ISA shelters gains and income from tax, up to the annual allowance.",
            ],
        },
    },
}

THEMES["medicine"] = {
    "site": "Health Matters Bulletin",
    "slots": {
        "condition": [
            "type 2 diabetes",
            "asthma",
            "high blood pressure",
            "migraine",
            "osteoarthritis",
            "atrial fibrillation",
            "chronic kidney disease",
            "eczema",
            "COPD",
        ],
        "hospital": [
            "St Anne's Hospital",
            "Ashford General",
            "the Royal Millbrook Infirmary",
            "Kestrel Bay Medical Centre",
            "Dunmore Community Hospital",
        ],
    },
    "general": [
        "Always read the patient information leaflet and ask a pharmacist if anything is unclear.",
        "Dr {doctor} stressed that this article is not a substitute for individual medical advice.",
        "Sleep, diet and exercise affect almost every condition seen in general practice.",
        "Call an ambulance immediately if someone shows signs of a stroke, such as facial drooping or slurred speech.",
        "Healthcare staff in {town} say demand has risen faster than the number of doctors.",
        "Clear communication between patients and clinicians improves outcomes and reduces errors.",
        "Medicines should be stored out of reach of children and returned to a pharmacy when no longer needed.",
        "Symptoms that persist for more than three weeks deserve a medical opinion.",
        "The clinic's nurses say prevention is always easier than cure.",
        "Shared electronic records let hospital specialists see test results ordered by the GP.",
    ],
    "subtopics": {
        "research": {
            "titles": [
                "New drug cuts hospital admissions in trial",
                "What the latest study on {condition} really shows",
                "Volunteers wanted for {hospital} study",
                "How to read a medical headline",
                "Inside a clinical trial",
            ],
            "sentences": [
                "The randomised controlled trial enrolled {big} patients across {n2} hospitals and followed them for two years.",
                "Participants who received the new drug had {pct_b} percent fewer hospital admissions than those given a placebo.",
                "Dr {doctor} cautioned that the study was observational and cannot prove cause and effect.",
                "Side effects were mostly mild, with nausea and headache the most commonly reported.",
                "The findings were published in a peer-reviewed journal after an independent monitoring committee reviewed the data.",
                "Researchers at {hospital} are recruiting volunteers for a study on {condition}.",
                "A meta-analysis pools results from many smaller trials to give a more reliable estimate of benefit.",
                "Blinding ensures that neither patients nor doctors know who is receiving the active treatment.",
                "The vaccine candidate produced a strong antibody response in early-phase trials.",
                "Genetic testing may eventually help doctors choose the right medication for each patient.",
                "Funding for the trial came from a medical research charity rather than the manufacturer.",
            ],
        },
        "primary_care": {
            "titles": [
                "Notes from a GP surgery in {town}",
                "When to see your doctor about a cough",
                "Your pharmacist can help",
                "Evening appointments arrive at the practice",
                "A day in the life of Dr {doctor}",
            ],
            "sentences": [
                "Most coughs and colds clear up within two weeks without antibiotics, which do nothing against viruses.",
                "Dr {doctor}, a GP in {town}, says many patients wait too long before seeking help for chest pain.",
                "Blood pressure should be checked at least every five years in adults over forty.",
                "The practice now offers evening appointments twice a week for patients who work during the day.",
                "Pharmacists can advise on minor ailments such as sore throats, earache and insect bites.",
                "Annual reviews for people with {condition} include blood tests, medication checks and lifestyle advice.",
                "Telephone consultations have freed up face-to-face slots for patients who need an examination.",
                "Over-the-counter painkillers such as ibuprofen should be taken at the lowest effective dose for the shortest time.",
                "Practice nurses run clinics for asthma, diabetes and travel vaccinations.",
                "A sudden change in a mole's size, shape or colour should be checked by a doctor.",
                "Waiting times for routine appointments have grown to around {n2} weeks in some areas.",
            ],
        },
        "hospital": {
            "titles": [
                "A busy weekend in the emergency department",
                "New scanner for {hospital}",
                "Why patients get stuck in hospital beds",
                "Inside the stroke unit at {hospital}",
                "Day-case surgery comes to {town}",
            ],
            "sentences": [
                "The emergency department at {hospital} saw {big} patients over the bank holiday weekend.",
                "Surgeons performed the hip replacement under spinal anaesthetic, and the patient was walking the next day.",
                "Intensive care beds were almost full during the winter peak of respiratory infections.",
                "A new day-case unit means many minor operations no longer require an overnight stay.",
                "Nurses use an early-warning score based on pulse, breathing rate and temperature to spot patients who are deteriorating.",
                "Delayed discharges, when medically fit patients cannot leave because care at home is not arranged, block beds for others.",
                "The stroke team aims to give clot-busting treatment within an hour of a patient arriving.",
                "Robotic surgery allows smaller incisions and often a shorter recovery.",
                "Hospital-acquired infections have fallen since stricter hand-hygiene rules were introduced.",
                "Consultant radiologist {person} said the new scanner will cut waiting times for MRI by several weeks.",
                "Ambulance handover delays outside the hospital reached {n} minutes on the busiest days.",
            ],
        },
        "public_health": {
            "titles": [
                "Measles vaccination rates fall",
                "Flu jabs: who is eligible this winter",
                "Whooping cough cases rise in {town}",
                "The quiet success of screening",
                "Why handwashing still matters",
            ],
            "sentences": [
                "Vaccination rates among young children have fallen below the 95 percent level needed to stop measles spreading.",
                "The flu vaccine is offered free to people over sixty-five, pregnant women and those with long-term conditions.",
                "Smoking rates have fallen to their lowest level on record, but vaping among teenagers is rising.",
                "Regular physical activity reduces the risk of heart disease, type 2 diabetes and several cancers.",
                "Screening programmes for bowel and breast cancer detect tumours earlier, when treatment is more likely to succeed.",
                "Air pollution from traffic is linked to asthma attacks in children and heart problems in older adults.",
                "Handwashing with soap remains one of the cheapest and most effective ways to prevent infection.",
                "Health officials in {town} reported {n} cases of whooping cough this year, a sharp rise on last year.",
                "Antibiotic resistance means some common infections are becoming harder to treat.",
                "Cutting salt intake lowers blood pressure across the population, even in people without hypertension.",
                "Life expectancy varies by almost ten years between the richest and poorest neighbourhoods.",
            ],
        },
        "chronic": {
            "titles": [
                "Living well with {condition}",
                "A care plan that works",
                "{patient} on managing {condition}",
                "Getting the most from your inhaler",
                "Small changes for better blood pressure",
            ],
            "sentences": [
                "People with {condition} benefit from a written care plan agreed with their doctor.",
                "Metformin is usually the first medicine offered for type 2 diabetes, alongside changes to diet and exercise.",
                "An inhaler technique check often improves asthma control more than changing the medication.",
                "People with migraine are advised to keep a diary to identify triggers such as missed meals or poor sleep.",
                "Gentle exercise and weight loss can ease the pain of osteoarthritis in the knees and hips.",
                "Atrial fibrillation increases the risk of stroke, so many patients are prescribed anticoagulants.",
                "Depression is treatable, and talking therapies work as well as medication for many people with mild symptoms.",
                "Emollients used generously and often are the mainstay of eczema treatment.",
                "Home blood pressure monitors give a more accurate picture than a single reading in the surgery.",
                "{patient} was diagnosed with {condition} {n2} years ago and now manages it with regular check-ups.",
                "Support groups let patients share practical tips about living with a long-term illness.",
            ],
        },
    },
}

THEMES["music"] = {
    "site": "Backstage Pass",
    "slots": {
        "band": [
            "The Lantern Hours",
            "Velvet Tide",
            "Paper Comets",
            "The Northern Quarter",
            "Glass Orchard",
            "Saltmarsh",
            "Midnight Ferry",
            "The Hollow Pines",
        ],
        "instrument": [
            "piano",
            "cello",
            "violin",
            "trumpet",
            "bass guitar",
            "saxophone",
            "acoustic guitar",
            "clarinet",
            "double bass",
        ],
        "composer": [
            "Bach",
            "Beethoven",
            "Brahms",
            "Debussy",
            "Schubert",
            "Mozart",
            "Shostakovich",
            "Ravel",
        ],
        "venue": [
            "the Corn Exchange",
            "the Blue Door club",
            "St Cecilia's Hall",
            "the Riverside Bandstand",
            "the Old Mill Theatre",
        ],
        "genre": ["folk", "jazz", "indie rock", "soul", "electronic", "bluegrass", "post-punk"],
        "album": [
            "Low Tide Radio",
            "Paper Lanterns",
            "The Long Way Home",
            "Static Bloom",
            "Harbour Songs",
            "Glasshouse",
            "Small Hours",
            "Evergreen Motel",
            "Wires and Wildflowers",
        ],
    },
    "general": [
        "Music has a remarkable ability to bring strangers together in a shared moment.",
        "{musician} grew up in {town} listening to {genre} records from a parent's collection.",
        "Streaming has made it easier than ever to discover new artists.",
        "Vinyl sales have grown for several years in a row, driven largely by younger listeners.",
        "Local record shops host in-store performances that give new bands their first audience.",
        "The melody is simple enough to hum after a single listen.",
        "A good song survives any arrangement, from a solo {instrument} to a full orchestra.",
        "Rhythm is the foundation, and a band with a solid groove can carry weaker material.",
        "Community choirs in {town} have seen membership double in the last few years.",
        "Radio sessions capture bands at their most relaxed, often with an unexpected cover version.",
    ],
    "subtopics": {
        "album_review": {
            "titles": [
                "Album review: {band}, {album}",
                "{band} grow up on {album}",
                "First listen: {album}",
                "{album} is the {genre} record of the year",
                "Review: {album} by {band}",
            ],
            "sentences": [
                "{band}'s new album, {album}, opens with a slow-burning ballad before the drums finally kick in.",
                "The production is warm and uncluttered, leaving plenty of space around the vocals.",
                "Lyrically, the record deals with leaving home, with references to night buses and empty seaside towns.",
                "The standout track layers a looping {instrument} riff over a restless, syncopated beat.",
                "At {albummin} minutes across {tracks} tracks, the album never outstays its welcome.",
                "The middle of the record sags slightly, with two mid-tempo songs that blur together.",
                "Fans of the band's earlier {genre} sound will find plenty to love here.",
                "The closing song builds from a whisper to a full choir of overdubbed voices.",
                "The harmonies between the two singers remain the group's secret weapon.",
                "Some listeners will miss the rawness of the debut, but this is a more confident and varied collection.",
                "Rating: {stars} out of five.",
            ],
        },
        "live": {
            "titles": [
                "Live review: {band} at {venue}",
                "A homecoming gig for {band}",
                "Festival line-up announced for {town}",
                "{band} sell out {venue}",
                "Gig of the week: {band}",
            ],
            "sentences": [
                "{band} played a sold-out show at {venue} on {weekday}, their first hometown gig in {n2} years.",
                "The set list leaned heavily on the new album, with older favourites saved for the encore.",
                "The sound was muddy for the first few songs, but the engineer had it sorted by the fourth number.",
                "The support act, a young {genre} duo from {town}, won over the crowd with tight harmonies.",
                "The crowd sang every word of the chorus back at the stage, drowning out the band.",
                "The drummer held the whole performance together, shifting tempo seamlessly between songs.",
                "A spontaneous acoustic version of an early single was the emotional high point of the night.",
                "Tickets cost {ticket} and sold out within minutes of going on sale.",
                "The lighting design, all deep blues and ambers, matched the mood of the songs.",
                "Festival organisers in {town} announced a line-up of {n} acts across three stages.",
                "The encore stretched to twenty minutes, ending with the whole band on percussion.",
            ],
        },
        "classical": {
            "titles": [
                "Concert review: {composer} at {venue}",
                "A lunchtime recital worth the detour",
                "{musician} plays {composer}",
                "The chamber orchestra's new season",
                "An evening of {composer} and a new commission",
            ],
            "sentences": [
                "The orchestra's performance of {composer} was precise without ever feeling cold.",
                "{musician}, the soloist, played the slow movement with a rich, singing tone on the {instrument}.",
                "The conductor chose brisk tempos that brought out the dance rhythms in the finale.",
                "A string quartet at {venue} offered a lunchtime recital of Schubert and Haydn.",
                "The acoustics of the hall flatter the woodwinds, which sounded especially luminous.",
                "The programme paired a familiar symphony with a new commission by a young local composer.",
                "The pianist played the sonata from memory and without a pause between movements.",
                "The choir's diction was so clear that the printed text was hardly needed.",
                "Baroque ensembles using period instruments usually tune slightly lower than modern orchestras.",
                "The audience held its breath during the long silence at the end of the final movement.",
                "The chamber orchestra's new season includes all nine Beethoven symphonies across three weekends.",
            ],
        },
        "learning": {
            "titles": [
                "Learning the {instrument} as an adult",
                "How to practise, according to {musician}",
                "Free lessons for {town} children",
                "Why scales still matter",
                "Joining a community orchestra",
            ],
            "sentences": [
                "Practising slowly with a metronome builds accuracy that then survives at full tempo.",
                "{musician} teaches {instrument} to {n} pupils a week, from complete beginners to grade eight.",
                "Scales and arpeggios may feel dull, but they train the fingers for almost every piece of music.",
                "Short daily practice sessions are more effective than one long session at the weekend.",
                "Recording yourself reveals problems with rhythm and tuning that are hard to notice while playing.",
                "Learning to read music opens up a vast repertoire, although many great players learned entirely by ear.",
                "Adult beginners often progress quickly because they practise with clear goals.",
                "A good teacher corrects posture early, before bad habits cause strain or injury.",
                "Playing in a community band or orchestra is the best motivation to keep practising.",
                "Ear training, such as singing intervals and recognising chords, helps enormously with improvisation.",
                "The {town} music school offers free {instrument} lessons to children from low-income families.",
            ],
        },
        "studio": {
            "titles": [
                "In the studio with {band}",
                "How {album} was recorded",
                "Home recording on a budget",
                "Producer {musician} on analogue warmth",
                "Mixing and mastering, explained",
            ],
            "sentences": [
                "The band recorded the basic tracks live in one room, playing together to capture the energy.",
                "Producer {musician} favours vintage microphones and tape machines for their warm, slightly saturated sound.",
                "Mixing involves balancing levels, panning instruments across the stereo field and shaping each sound with EQ.",
                "Mastering gives the final polish, making sure the album sounds consistent on headphones, car stereos and radio.",
                "Home studios have become affordable, and many hit songs now start life on a laptop in a bedroom.",
                "A click track keeps the band in time, although some drummers prefer to play without one.",
                "The final vocal was stitched together from the best moments of several complete takes.",
                "Reverb from a stone stairwell was used on the snare drum to create a huge, natural echo.",
                "The string arrangement was written in an afternoon and recorded by a quartet in a single session.",
                "Analogue synthesisers drift slightly out of tune as they warm up, which gives them character.",
                "The engineer placed two microphones on the {instrument} to capture both the attack and the body of the sound.",
            ],
        },
    },
}

# Documents that deliberately mix two themes: bridging sentences, the two
# (theme, subtopic) sources to draw from, titles, and which folders get one.
MIXES = {
    "sports_medicine": {
        "sources": [
            (
                "football",
                "match_report",
                [
                    "opened the scoring",
                    "beat",
                    "goalkeeper made",
                    "Substitutions",
                    "red card",
                    "crowd",
                ],
            ),
            (
                "medicine",
                "hospital",
                ["Surgeons", "scanner", "Robotic", "day-case", "early-warning"],
            ),
        ],
        "folders": ["football", "football", "medicine"],
        "titles": [
            "Inside the {club} medical room",
            "How {club} manage hamstring injuries",
            "Concussion rules on the touchline",
        ],
        "bridge": [
            "The club's medical team confirmed that {player} has a grade two hamstring strain and will miss around {n2} weeks.",
            "Sports physicians now use GPS data from training to spot players at risk of soft-tissue injuries.",
            "Concussion protocols require any player with a suspected head injury to leave the pitch immediately.",
            "Knee ligament injuries are several times more common in female footballers, and prevention programmes focus on landing technique.",
            "The physiotherapist designed a rehabilitation plan that reintroduces running first, then ball work, then contact training.",
            "Heart screening for young players aims to detect rare conditions that can cause sudden cardiac arrest.",
            "Dr {doctor}, the club doctor, said the squad's injury rate had fallen since the introduction of strength sessions.",
        ],
    },
    "music_business": {
        "sources": [
            (
                "finance",
                "earnings",
                [
                    "reported revenue",
                    "Operating margins",
                    "dividend",
                    "Analysts had expected",
                    "cost-cutting",
                    "Net debt",
                ],
            ),
            ("music", "live", ["Tickets cost", "sold-out", "Festival organisers", "set list"]),
        ],
        "folders": ["finance", "music"],
        "titles": [
            "Who really gets paid when you stream a song",
            "Why investors are buying old songs",
            "The economics of a mid-sized tour",
        ],
        "bridge": [
            "Streaming now accounts for more than two-thirds of recorded music revenue, but the payout per play remains tiny.",
            "{band} sold the rights to their back catalogue to an investment fund for an undisclosed sum.",
            "Song catalogues have attracted investors because royalties tend to be steady regardless of the economy.",
            "Concert ticket prices have risen faster than inflation, squeezing fans while lifting promoters' revenue.",
            "The label's annual report showed revenue up {pct_b} percent, driven by licensing deals for film and advertising.",
            "Independent artists increasingly fund albums through fan subscriptions rather than record-label advances.",
            "Touring costs, from fuel to crew wages, have climbed so much that some mid-sized bands now lose money on the road.",
        ],
    },
    "kitchen_garden": {
        "sources": [
            (
                "gardening",
                "vegetables",
                ["Courgettes", "Runner beans", "garlic", "salad leaves", "tomatoes", "{gardener}"],
            ),
            (
                "cooking",
                "preserving",
                [
                    "jam",
                    "Quick pickles",
                    "Sterilise",
                    "Label every jar",
                    "preserved lemons",
                    "Sauerkraut",
                ],
            ),
        ],
        "folders": ["gardening", "cooking"],
        "titles": ["From allotment to kitchen table", "Cooking through the courgette glut"],
        "bridge": [
            "Nothing beats tomatoes picked warm from the vine and sliced straight onto toast with olive oil and salt.",
            "A glut of courgettes from the allotment became a week of fritters, soups and a surprisingly good chocolate cake.",
            "Herbs grown on the windowsill, such as basil, chives and parsley, save money and lift everyday cooking.",
            "{gardener} plans the vegetable beds around the dishes the family likes to cook in late summer.",
            "Freshly dug potatoes need only a quick boil, a knob of butter and some chopped mint.",
            "Surplus fruit from the garden goes into jams and chutneys that last through the winter.",
        ],
    },
    "nutrition": {
        "sources": [
            ("medicine", "chronic", ["Metformin", "blood pressure", "osteoarthritis", "care plan"]),
            (
                "cooking",
                "weeknight",
                [
                    "store cupboard",
                    "Batch cooking",
                    "Frozen peas",
                    "One-pan",
                    "dressing",
                    "children",
                ],
            ),
        ],
        "folders": ["medicine", "cooking"],
        "titles": ["Eating well for a healthy heart", "What your GP wishes you cooked at home"],
        "bridge": [
            "Dietitians recommend filling half the plate with vegetables and choosing wholegrains over refined carbohydrates.",
            "A Mediterranean-style diet rich in olive oil, pulses and fish has been linked to lower rates of heart disease.",
            "Cooking at home makes it easier to control salt, which helps keep blood pressure in check.",
            "Dr {doctor} suggests swapping sugary drinks for water as the single easiest change for people with type 2 diabetes.",
            "Fibre from beans, oats and vegetables feeds gut bacteria and helps keep cholesterol down.",
            "Ultra-processed foods are convenient, but studies link eating a lot of them to weight gain.",
        ],
    },
    "football_finance": {
        "sources": [
            (
                "finance",
                "earnings",
                [
                    "reported revenue",
                    "Operating margins",
                    "Net debt",
                    "Analysts had expected",
                    "impairment",
                ],
            ),
            (
                "football",
                "fans",
                [
                    "Season ticket",
                    "club shop",
                    "supporters' trust",
                    "safe-standing",
                    "Ticket touts",
                ],
            ),
        ],
        "folders": ["finance", "football"],
        "titles": [
            "The balance sheet behind the badge",
            "Who pays for the new stand at {stadium}?",
        ],
        "bridge": [
            "{club} reported a pre-tax loss of {fee} million pounds as the wage bill rose faster than revenue.",
            "Broadcast revenue now makes up more than half of the income of a typical top-flight club.",
            "Spending rules limit how much of their revenue clubs may spend on wages and transfers.",
            "The takeover bid values {club} at around {bigfee} million pounds, including debt.",
            "Shares in the listed club jumped after it secured a lucrative shirt sponsorship deal.",
            "Supporters worry that borrowing against future ticket sales leaves the club financially exposed.",
        ],
    },
    "green_prescription": {
        "sources": [
            (
                "gardening",
                "seasonal",
                ["unmown", "Autumn is the best", "water deeply", "open day", "apple trees"],
            ),
            (
                "medicine",
                "public_health",
                ["physical activity", "Air pollution", "Life expectancy"],
            ),
        ],
        "folders": ["medicine", "gardening"],
        "titles": ["Gardening on prescription", "The healing garden at {hospital}"],
        "bridge": [
            "Doctors in {town} have started prescribing gardening sessions to patients struggling with anxiety and loneliness.",
            "Working outdoors for even half an hour lifts mood and improves sleep, according to several small studies.",
            "Gardeners should keep their tetanus vaccination up to date, since soil bacteria can enter small cuts.",
            "Kneeling pads and long-handled tools protect the joints of gardeners with arthritis.",
            "The hospital's courtyard garden is tended by volunteers and used by patients recovering from strokes.",
        ],
    },
    "sky_music": {
        "sources": [
            (
                "music",
                "classical",
                ["orchestra", "conductor", "string quartet", "audience held", "programme paired"],
            ),
            (
                "astronomy",
                "deep_sky",
                ["Orion Nebula", "Milky Way", "Pleiades", "Arcturus", "Double stars"],
            ),
        ],
        "folders": ["astronomy"],
        "titles": ["Music under the stars", "A planetarium concert"],
        "bridge": [
            "The composer wrote a suite for orchestra inspired by the planets visible on a winter night.",
            "At the planetarium concert, a string quartet played beneath a projected sky full of constellations.",
            "Data from a spacecraft was converted into sound, turning waves in the solar wind into an eerie hum.",
            "{band} recorded their album in a remote cottage near a dark-sky reserve, and the lyrics are full of stars and comets.",
            "Between pieces, an astronomer pointed out Jupiter and the Pleiades through the observatory's open roof.",
        ],
    },
}

HEADINGS = [
    "Background",
    "The details",
    "What happened",
    "Practical notes",
    "Why it matters",
    "Looking ahead",
    "In brief",
    "A closer look",
    "What the experts say",
    "The bigger picture",
]

HOSTILE_SCRIPT = (
    "One reader pasted a weird string into our comment form, "
    "</script><script>alert(1)</script>, and asked whether it was a secret code for a recipe; "
    "it is just a scrap of web code, and we print it here exactly as it arrived."
)
HOSTILE_TEMPLATE = (
    "Another member signed a post with {{ 7*7 }} and someone else pasted "
    "<img src=x onerror=alert(1)> into the plant-swap thread, "
    "which the moderators flagged as odd characters rather than gardening advice."
)

CAFE_REVIEW = (
    "Cafe review: Le Petit Café de la Gare, Millbrook\n"
    "\n"
    "Le café est charmant et le garçon très aimable. We ordered a café crème, "
    "a crème brûlée and a slice of tarte aux pommes à la française; the crust "
    "was crisp and the apples were caramelised. Très bien, même si l'attente "
    "était un peu longue à midi. The façade is painted pale green and there "
    "are three tables outside.\n"
    "\n"
    "Note : 4/5. À bientôt !\n"
)

# ---------------------------------------------------------------------------
# Composition machinery
# ---------------------------------------------------------------------------


class Slots:
    """Fills ``{key}`` placeholders. Names and places stay the same within a
    document; numeric slots are drawn afresh at every use."""

    def __init__(self, rng: random.Random, lists: dict[str, list[str]]):
        self.rng = rng
        self.lists = lists
        self.cache: dict[str, str] = {}

    def __getitem__(self, key: str) -> str:
        if key in NUMERIC:
            return NUMERIC[key](self.rng)
        if key in self.cache:
            return self.cache[key]
        rng = self.rng
        if key in PERSON_KEYS:
            used = {v for k, v in self.cache.items() if k in PERSON_KEYS}
            value = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            while value in used:
                value = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        elif key == "first":
            value = rng.choice(FIRST)
        elif key in self.lists:
            value = rng.choice(self.lists[key])
        elif key in SHARED_LISTS:
            value = rng.choice(SHARED_LISTS[key])
        elif key.endswith("2") and key[:-1] in self.lists:
            base = self[key[:-1]]
            value = rng.choice([v for v in self.lists[key[:-1]] if v != base])
        else:
            raise KeyError(key)
        self.cache[key] = value
        return value


def fill(template: str, slots: Slots) -> str:
    text = template.format_map(slots)
    return text[0].upper() + text[1:]


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("'", "")).strip("-")
    return s[:60].rstrip("-") or "untitled"


def random_date(rng: random.Random, start=dt.date(2025, 1, 1), end=dt.date(2026, 6, 30)) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def human_date(d: dt.date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def pick_length(rng: random.Random) -> int:
    lo, hi = rng.choices(
        [(40, 80), (90, 200), (200, 400), (400, 600), (600, 790)],
        weights=[15, 35, 32, 11, 7],
    )[0]
    return rng.randint(lo, hi)


SUB_HEADINGS = {
    "planets": "Planets and moons",
    "deep_sky": "Deep-sky highlights",
    "equipment": "Kit and equipment",
    "events": "Events in the sky",
    "research": "From the research world",
    "technique": "Technique corner",
    "baking": "From the oven",
    "review": "Eating out",
    "preserving": "The pickle cupboard",
    "weeknight": "Weeknight dinners",
    "match_report": "Results",
    "transfers": "Transfer news",
    "tactics": "Tactics board",
    "grassroots": "Grassroots",
    "fans": "In the stands",
    "vegetables": "On the allotment",
    "flowers": "Borders and flowers",
    "soil": "Soil and compost",
    "pests": "Pests and diseases",
    "seasonal": "Seasonal jobs",
    "markets": "Markets",
    "personal": "Your money",
    "macro": "The economy",
    "earnings": "Company results",
    "investing": "Investing",
    "research_med": "Research",
    "primary_care": "In general practice",
    "hospital": "Hospital news",
    "public_health": "Public health",
    "chronic": "Long-term conditions",
    "album_review": "New albums",
    "live": "Live",
    "classical": "Classical",
    "learning": "Learning to play",
    "studio": "In the studio",
}
DIGEST_TITLES = [
    "{site}: the {month} round-up",
    "The {month} digest",
    "Weekly notebook from {site}",
    "{site} reader's digest",
    "Round-up: a busy {month}",
    "{month} in brief",
]
SINGLE_MAX_WORDS = 400


def sub_heading(theme: str, sub: str) -> str:
    if theme == "medicine" and sub == "research":
        return SUB_HEADINGS["research_med"]
    return SUB_HEADINGS[sub]


def _take(
    rng: random.Random, templates: list[str], slots: Slots, target: int, out: list[str], words: int
) -> int:
    for tpl in templates:
        if words >= target and len(out) >= 2:
            break
        s = fill(tpl, slots)
        out.append(s)
        words += len(s.split())
    return words


def compose(
    rng: random.Random, theme: str, sub: str, target: int, slots: Slots
) -> list[tuple[str | None, list[str]]]:
    """Return sections ``(heading, sentences)`` of about ``target`` words.

    Up to SINGLE_MAX_WORDS: one section on the sub-subject, with a few of the
    theme's general sentences sprinkled in. Longer: a digest with one headed
    section per sub-subject, so that long documents stay coherent."""
    spec = THEMES[theme]
    general = list(spec["general"])
    rng.shuffle(general)
    if target <= SINGLE_MAX_WORDS:
        own = list(spec["subtopics"][sub]["sentences"])
        rng.shuffle(own)
        for g in general[:2]:
            own.insert(rng.randint(1, len(own)), g)
        out: list[str] = []
        _take(rng, own + general[2:], slots, target, out, 0)
        return [(None, out)]
    others = [k for k in sorted(spec["subtopics"]) if k != sub]
    order = [sub, *rng.sample(others, k=len(others))]
    sections, words = [], 0
    for k in order:
        if words >= target:
            break
        for key in ("person", "first"):  # each section of a digest has its own people
            slots.cache.pop(key, None)
        own = list(spec["subtopics"][k]["sentences"])
        rng.shuffle(own)
        own = own[: rng.randint(5, len(own))]
        if general:
            own.insert(rng.randint(1, len(own)), general.pop())
        out = []
        words = _take(rng, own, slots, target, out, words)
        if len(out) < 3 and sections:  # too short to stand alone: fold into the previous section
            sections[-1][1].extend(out)
        else:
            sections.append((sub_heading(theme, k), out))
    return sections


def paragraphs(rng: random.Random, sentences: list[str]) -> list[str]:
    paras, i = [], 0
    while i < len(sentences):
        k = rng.randint(2, 5)
        paras.append(" ".join(sentences[i : i + k]))
        i += k
    if len(paras) > 1 and len(paras[-1].split()) < 12:
        last = paras.pop()
        paras[-1] += " " + last
    return paras


def make_doc(
    rng: random.Random, theme: str, sub: str, target: int, used_titles: set[str] | None = None
) -> dict:
    slots = Slots(rng, THEMES[theme]["slots"])
    sections = compose(rng, theme, sub, target, slots)
    for _, sents in sections:  # a review's rating goes last
        sents.sort(key=lambda x: x.startswith("Rating:"))
    digest = sections[0][0] is not None
    date = random_date(rng)
    if digest:  # a digest is titled after the month it was published
        slots.cache["month"] = MONTHS[date.month - 1]
    templates = DIGEST_TITLES if digest else THEMES[theme]["subtopics"][sub]["titles"]
    site = THEMES[theme]["site"]
    for _ in range(12):
        title = fill(rng.choice(templates).replace("{site}", site), slots)
        if used_titles is None or title not in used_titles:
            break
    if used_titles is not None:
        if title in used_titles:
            title = f"{title}: {fill('{town}', Slots(rng, {}))} edition"
        used_titles.add(title)
    return {
        "title": title,
        "sections": [(h, paragraphs(rng, s)) for h, s in sections],
        "author": slots["person2"],
        "date": date,
    }


def all_paras(doc: dict) -> list[str]:
    return [p for _, paras in doc["sections"] for p in paras]


# ---------------------------------------------------------------------------
# Renderers
# ---------------------------------------------------------------------------


def render_txt(rng: random.Random, doc: dict, style: str | None = None) -> str:
    style = style or rng.choices(["plain", "byline", "untitled"], weights=[5, 4, 1])[0]
    wrap = rng.random() < 0.3
    blocks = []
    for heading, paras in doc["sections"]:
        if heading:
            blocks.append(heading)
        blocks += [textwrap.fill(p, width=78) if wrap else p for p in paras]
    lines = []
    if style != "untitled":
        lines.append(doc["title"])
        if style == "byline":
            lines.append(f"By {doc['author']}, {human_date(doc['date'])}")
    header = "\n".join(lines) + "\n\n" if lines else ""
    return header + "\n\n".join(blocks) + "\n"


def render_md(rng: random.Random, doc: dict, theme: str) -> str:
    out = [f"# {doc['title']}", "", f"*By {doc['author']} · {human_date(doc['date'])}*", ""]
    flat = [(h, i, p) for h, paras in doc["sections"] for i, p in enumerate(paras)]
    li = rng.randrange(len(flat))  # this paragraph becomes a bullet list
    headings = rng.sample(HEADINGS, k=len(HEADINGS))
    single = doc["sections"][0][0] is None
    for n, (h, i, p) in enumerate(flat):
        if not single and i == 0:
            out += [f"## {h}", ""]
        elif single and n > 0 and (n % 2 == 1 or len(flat) <= 2):
            out += [f"## {headings[n % len(headings)]}", ""]
        if n == li:
            items = [s.strip() for s in re.split(r"(?<=[.!?])\s+", p) if s.strip()]
            out += ["Key points:", ""] + [f"- {s}" for s in items] + [""]
        else:
            if n == 0 and rng.random() < 0.4:
                p = "**Note:** " + p
            out += [p, ""]
    site = THEMES[theme]["site"]
    out += [
        f"Further reading: [{site} archive](https://example.org/{theme}/{slug(doc['title'])}).",
        "",
    ]
    return "\n".join(out)


HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title} | {site}</title>
<style>
  body {{ font-family: Georgia, serif; margin: 2em auto; max-width: 42em; }}
  .zzstylesentinelzz {{ color: #336699; background: url("banner.png"); }}
  h1, h2 {{ font-family: Helvetica, Arial, sans-serif; }}
</style>
<script>
  // Analytics snippet: none of this may appear in the extracted text.
  var zzscriptsentinelzz = "pageview-tracker";
  window.dataLayer = window.dataLayer || [];
  function trackEvent() {{ window.dataLayer.push(arguments); }}
  trackEvent("config", "UA-000000-1", {{ anonymize_ip: true }});
</script>
</head>
<body>
<article>
<h1>{title}</h1>
<p class="byline">By {author}, {date}</p>
{body}
</article>
<script>
  document.querySelectorAll("p").forEach(function (p) {{ p.dataset.zzscriptsentinelzz = "seen"; }});
</script>
</body>
</html>
"""


def render_html(rng: random.Random, doc: dict, theme: str) -> str:
    body = []
    headings = rng.sample(HEADINGS, k=len(HEADINGS))
    n = 0
    for heading, paras in doc["sections"]:
        for i, p in enumerate(paras):
            h = (
                heading
                if (heading and i == 0)
                else (headings[n % len(headings)] if not heading and n > 0 and n % 3 == 0 else None)
            )
            if h:
                body.append(f"<h2>{html.escape(h)}</h2>")
            body.append(f"<p>{html.escape(p, quote=False)}</p>")
            n += 1
    return HTML_TEMPLATE.format(
        title=html.escape(doc["title"], quote=False),
        site=html.escape(THEMES[theme]["site"]),
        author=html.escape(doc["author"], quote=False),
        date=human_date(doc["date"]),
        body="\n".join(body),
    )


def write_doc(
    rng: random.Random,
    folder: Path,
    doc: dict,
    fmt: str,
    theme: str,
    used: set[str],
    txt_style: str | None = None,
) -> Path:
    base = slug(doc["title"])
    name, k = base, 2
    while f"{folder}/{name}" in used:
        name, k = f"{base}-{k}", k + 1
    used.add(f"{folder}/{name}")
    if fmt == "txt":
        text = render_txt(rng, doc, txt_style)
    elif fmt == "md":
        text = render_md(rng, doc, theme)
    else:
        text = render_html(rng, doc, theme)
    path = folder / f"{name}.{fmt}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


# ---------------------------------------------------------------------------
# Sections of the corpus
# ---------------------------------------------------------------------------

DOCS_PER_THEME = 45


def gen_theme_folders(used: set[str]) -> None:
    for theme in THEMES:
        rng = random.Random(f"{SEED}-{theme}")
        subs = sorted(THEMES[theme]["subtopics"])
        formats = ["txt"] * 33 + ["md"] * 7 + ["html"] * 5
        rng.shuffle(formats)
        titles: set[str] = set()
        for i in range(DOCS_PER_THEME):
            sub = subs[i % len(subs)]
            target = {0: rng.randint(740, 790), 1: rng.randint(38, 45)}.get(i) or pick_length(rng)
            doc = make_doc(rng, theme, sub, target, titles)
            write_doc(rng, HERE / theme, doc, formats[i], theme, used)


def gen_hostile(used: set[str]) -> None:
    rng = random.Random(f"{SEED}-hostile")
    for theme, sub, title, sentence in [
        (
            "cooking",
            "weeknight",
            "Reader mailbag: odd things you sent us",
            "Thank you for all your letters this month. " + HOSTILE_SCRIPT,
        ),
        (
            "gardening",
            "pests",
            "Forum digest: strange characters in the plant swap",
            "Thanks to everyone who posted in the forum this month. " + HOSTILE_TEMPLATE,
        ),
    ]:
        doc = make_doc(rng, theme, sub, 230)
        doc["title"] = title
        # Inserted after slot filling, so the braces and tags stay literal.
        doc["sections"][0][1].insert(1, sentence)
        write_doc(rng, HERE / theme, doc, "txt", theme, used, txt_style="byline")


def gen_mixed(used: set[str]) -> None:
    rng = random.Random(f"{SEED}-mixed")
    n = 0
    for spec in MIXES.values():
        (ta, sa, ka), (tb, sb, kb) = spec["sources"]
        lists = {**THEMES[ta]["slots"], **THEMES[tb]["slots"]}
        pool_a = [t for t in THEMES[ta]["subtopics"][sa]["sentences"] if any(k in t for k in ka)]
        pool_b = [t for t in THEMES[tb]["subtopics"][sb]["sentences"] if any(k in t for k in kb)]
        for folder in spec["folders"]:
            slots = Slots(rng, lists)
            bridge = rng.sample(spec["bridge"], k=min(len(spec["bridge"]), rng.randint(4, 6)))
            a = rng.sample(pool_a, k=min(len(pool_a), rng.randint(2, 3)))
            b = rng.sample(pool_b, k=min(len(pool_b), rng.randint(2, 3)))
            order = [bridge[0]]
            rest_a, rest_b, rest_br = a, b, bridge[1:]
            while rest_a or rest_b or rest_br:
                for lst in (rest_a, rest_br, rest_b):
                    if lst:
                        order.append(lst.pop(0))
            sents = [fill(t, slots) for t in order]
            title = fill(spec["titles"][n % len(spec["titles"])], slots)
            doc = {
                "title": title,
                "sections": [(None, paragraphs(rng, sents))],
                "author": slots["person2"],
                "date": random_date(rng),
            }
            fmt = "md" if n == 3 else "html" if n == 8 else "txt"
            write_doc(rng, HERE / folder, doc, fmt, folder, used)
            n += 1


def gen_observing_logs(used: set[str]) -> None:
    rng = random.Random(f"{SEED}-logs")
    folder = HERE / "astronomy" / "observing_logs"
    for i in range(8):
        slots = Slots(rng, THEMES["astronomy"]["slots"])
        d = random_date(rng)
        sub = ["planets", "deep_sky", "events"][i % 3]
        pool = rng.sample(THEMES["astronomy"]["subtopics"][sub]["sentences"], k=rng.randint(2, 5))
        lines = [
            f"Observing log, {d.isoformat()}",
            f"Site: {fill('{observatory}', slots)}. Instrument: {slots['scope']}. Observer: {slots['person']}.",
            f"Seeing {slots['seeing']}/5, transparency {slots['seeing']}/5, "
            f"naked-eye limiting magnitude about {slots['limmag']}.",
            "",
            " ".join(fill(t, slots) for t in pool),
            "",
        ]
        name = f"log-{d.isoformat()}"
        while f"{folder}/{name}" in used:
            name += "b"
        used.add(f"{folder}/{name}")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8", newline="\n")


def gen_articles_jsonl() -> None:
    rng = random.Random(f"{SEED}-articles")
    themes = list(THEMES)
    records = []
    for i in range(42):
        theme = themes[i % len(themes)]
        sub = rng.choice(sorted(THEMES[theme]["subtopics"]))
        doc = make_doc(rng, theme, sub, rng.randint(110, SINGLE_MAX_WORDS))
        records.append(
            {
                "text": "\n\n".join(all_paras(doc)),
                "title": doc["title"],
                "date": doc["date"].isoformat(),
                "label": theme,
                "author": doc["author"],
            }
        )
    records.sort(key=lambda r: (r["date"], r["title"]))
    with open(HERE / "articles.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


LETTER_OPENERS = [
    "Dear Editor, I read your recent coverage with great interest.",
    "Sir, I write as a reader of many years.",
    "To the editor: a few thoughts on last week's piece.",
    "Dear Editor, please allow me a short reply.",
    "Dear Editor,",
]
LETTER_CLOSERS = [
    "I would welcome other readers' views.",
    "Keep up the good work.",
    "I hope someone at the council is listening.",
    "Yours, a long-time reader.",
    "Thank you for covering this.",
]


def gen_letters_csv() -> None:
    rng = random.Random(f"{SEED}-letters")
    themes = list(THEMES)
    rows = []
    for i in range(24):
        theme = themes[i % len(themes)]
        sub = rng.choice(sorted(THEMES[theme]["subtopics"]))
        slots = Slots(rng, THEMES[theme]["slots"])
        pool = rng.sample(THEMES[theme]["subtopics"][sub]["sentences"], k=rng.randint(2, 4))
        opener = rng.choice(LETTER_OPENERS)
        middle = " ".join(fill(t, slots) for t in pool)
        if i % 6 == 2:
            quote = rng.choice(["a mixed picture", "good news", "a turning point"])
            middle = f'Your article called it "{quote}", and I am not so sure. {middle}'
        sep = "\n" if opener.endswith(",") or i % 8 == 5 else " "
        body = f"{opener}{sep}{middle} {rng.choice(LETTER_CLOSERS)}"
        rows.append((random_date(rng).isoformat(), f"{rng.choice(FIRST)} {rng.choice(LAST)}", body))
    rows.sort()
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["date", "author", "body"])
    w.writerows(rows)
    (HERE / "letters.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")


def gen_bad_files() -> None:
    rng = random.Random(f"{SEED}-bad")
    png = (
        b"\x89PNG\r\n\x1a\n"
        + b"\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x00\xc8\x08\x06\x00\x00\x00"
        + rng.randbytes(360)
    )
    (HERE / "broken_image.png").write_bytes(png)
    (HERE / "empty_notes.txt").write_bytes(b"")
    raw = CAFE_REVIEW.encode("iso-8859-1")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # pragma: no cover - guard for future edits of CAFE_REVIEW
        raise AssertionError("the Latin-1 review must not be valid UTF-8")
    (HERE / "cafe_review_latin1.txt").write_bytes(raw)


# ---------------------------------------------------------------------------
# Checks, cleaning and summary
# ---------------------------------------------------------------------------

GENERATED_TOP = [
    "articles.jsonl",
    "letters.csv",
    "broken_image.png",
    "empty_notes.txt",
    "cafe_review_latin1.txt",
]


def check_templates() -> None:
    """Every template must fill; every theme needs at least 40 sentences."""
    rng = random.Random(0)
    for theme, spec in THEMES.items():
        n = len(spec["general"]) + sum(len(s["sentences"]) for s in spec["subtopics"].values())
        assert n >= 40, (theme, n)
        for sub in spec["subtopics"].values():
            for t in sub["titles"] + sub["sentences"]:
                fill(t, Slots(rng, spec["slots"]))
        for t in spec["general"]:
            fill(t, Slots(rng, spec["slots"]))
    for spec in MIXES.values():
        (ta, sa, ka), (tb, sb, kb) = spec["sources"]
        for t, s, ks in ((ta, sa, ka), (tb, sb, kb)):
            pool = [x for x in THEMES[t]["subtopics"][s]["sentences"] if any(k in x for k in ks)]
            assert len(pool) >= 3, (t, s, len(pool))
        lists = {**THEMES[ta]["slots"], **THEMES[tb]["slots"]}
        for t in spec["bridge"] + spec["titles"]:
            fill(t, Slots(rng, lists))


def clean() -> None:
    for theme in THEMES:
        if (HERE / theme).exists():
            shutil.rmtree(HERE / theme)
    for name in GENERATED_TOP:
        (HERE / name).unlink(missing_ok=True)


def _words(path: Path) -> int:
    if path.suffix in {".png"}:
        return 0
    text = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix == ".html":
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
        text = re.sub(r"<[^>]+>", " ", text)
    return len(text.split())


def summary() -> None:
    counts: dict[str, dict[str, int]] = {}
    total_words = total_bytes = n_docs = 0
    for path in sorted(HERE.rglob("*")):
        if not path.is_file() or path.name == Path(__file__).name or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(HERE)
        folder = str(rel.parent) if rel.parent != Path(".") else "(top level)"
        counts.setdefault(folder, {})
        ext = path.suffix.lstrip(".")
        counts[folder][ext] = counts[folder].get(ext, 0) + 1
        total_bytes += path.stat().st_size
        total_words += _words(path)
        if folder != "(top level)":
            n_docs += 1
    print(f"{'folder':28s} files by format")
    for folder, c in counts.items():
        print(f"{folder:28s} " + ", ".join(f"{k}={v}" for k, v in sorted(c.items())))
    n_rows = len((HERE / "articles.jsonl").read_text(encoding="utf-8").splitlines())
    with open(HERE / "letters.csv", encoding="utf-8", newline="") as fh:
        n_letters = sum(1 for _ in csv.DictReader(fh))
    print(f"documents in theme folders: {n_docs}")
    print(f"articles.jsonl records: {n_rows}; letters.csv rows: {n_letters}")
    print(f"total words (html without script/style): {total_words:,}")
    print(f"total size: {total_bytes / 1024:.0f} KiB")


def main() -> None:
    check_templates()
    clean()
    used: set[str] = set()
    gen_theme_folders(used)
    gen_hostile(used)
    gen_mixed(used)
    gen_observing_logs(used)
    gen_articles_jsonl()
    gen_letters_csv()
    gen_bad_files()
    summary()


if __name__ == "__main__":
    main()
