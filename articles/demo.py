"""The demo content: "Glutamine and Gut Health" from the seed page, and a few
short posts so the blog index has more than one page.

The seed text is kept word for word except for what an editor fixes on
import: the non-breaking space that opened a paragraph, trailing spaces, the
journal name typo ("Huamn" -> "Human"), the stray full stop in "Int J Mol.
Sci.", "5 day" -> "5 days", and the capitals of "Food and Drug
Administration". The `**` after the last paragraph links to the FDA
disclaimer, and each reference is cited once where the text draws on it.
The references get what the seed leaves out and the journals' records give:
their DOIs, the Food Science and Human Wellness issue (2), the article
number of the Int J Mol Sci paper (1051) and its PubMed ID.
"""

import datetime as dt

GLUTAMINE_BODY = """\
These days it seems like everyone is talking about gut health and how to alter the microbiome for overall health. A lot of things play a role in poor gut health: stress, non-active lifestyle, and most importantly, diet.

Fiber and whole foods are key for a healthy balanced diet and gut, but the typical US diet is lacking in both these realms, placing a greater emphasis on highly processed grains and sugars. Fiber and whole foods are important in the diet not only because they are filled with vitamins and minerals, but because they help keep your digestive system regular.

Another nutrient that has received a lot of attention lately is glutamine, the most abundant amino acid, and its role in gut health. Not only has the research indicated it supports gut health, it also shows positive impacts on the gut-brain-axis.[1]

## What is glutamine?

Glutamine is a non-essential amino acid, meaning it can be synthesized in the body and does not have to come from the diet. Sometimes it becomes conditionally essential during periods of stress, requiring an additional intake from the diet.

## What is the role of glutamine in the body?

Glutamine is highly concentrated in the gut and is involved in maintaining the gut integrity as well as the lifespan of enterocytes, the cells of the small intestine.[2] More specifically, glutamine is involved in the following:

1. Balances the gut microbiome
    1. Glutamine has the ability to activate protein kinases and growth factors that facilitate intestinal cell proliferation. Intestinal cells have a turnover of about 5 days, which is quite short. By maximizing enterocyte proliferation, glutamine is able to influence DNA/RNA, protein synthesis, and replication of gut cells.
2. Promotes tight junction expression (consider this the glue that holds adjacent cells together)
    1. Tight junctions are extremely important for gut permeability. These semi-permeable junctions allow for needed nutrients to come in/out of the cell while keeping out pathogens. When these junctions begin to loosen, they increase the permeability allowing larger proteins to leak in/out. Diet and lifestyle directly impact the tight junction expression, which is why a balanced diet with fiber and whole foods is so important for overall gut health.
3. Protects cells during stress
    1. Glutamine helps balance proliferation and apoptosis (cell death) of gut cells. An imbalance or dysregulation in cellular function can cause gastrointestinal tract issues resulting in poor nutrient absorption.

## How can I incorporate L-Glutamine into my diet?

Supplemental forms of L-glutamine come in powders and can be easily added to drinks, smoothies, yogurts, and more. We recommend adding 2-5 grams to 6-8 oz water, your favorite beverage, or as directed by your healthcare provider. We also recommend taking L-Glutamine after exercise for muscle recovery and each day for intestinal health. [**]
"""

GLUTAMINE = {
    "title": "Glutamine and Gut Health",
    "slug": "glutamine-and-gut-health",
    "summary": (
        "Glutamine, the most abundant amino acid, helps keep the gut lining intact. "
        "What it is, what it does in the body, and how to add it to your diet."
    ),
    "body": GLUTAMINE_BODY,
    "publish_at": dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC),
    "references": [
        {
            "authors": "Deters BJ, Saleem M",
            "title": (
                "The role of glutamine in supporting gut health and neuropsychiatric factors"
            ),
            "journal": "Food Science and Human Wellness",
            "year": 2021,
            "volume": "10",
            "issue": "2",
            "pages": "149-154",
            "doi": "10.1016/j.fshw.2021.02.003",
        },
        {
            "authors": "Kim MH, Kim H",
            "title": (
                "The roles of glutamine in the intestine and its implications "
                "in intestinal disease"
            ),
            "journal": "Int J Mol Sci",
            "year": 2017,
            "volume": "18",
            "issue": "5",
            "pages": "1051",
            "doi": "10.3390/ijms18051051",
            "pmid": "28498331",
        },
    ],
    "disclaimers": ["FDA statement"],
    # Medically reviewed before it was published (the reviewer below).
    "review": {"reviewer": "jane-doe", "reviewed_at": dt.date(2026, 3, 3)},
    "topics": ["gut-health", "supplements"],
    # Drawn with Pillow when the demo is loaded (images.demo).
    "featured_image": {
        "alt": (
            "Illustration: a glass of water beside a measuring scoop heaped with "
            "white glutamine powder"
        ),
        "caption": "Powdered L-glutamine mixes into water, a smoothie or yogurt.",
        "credit": "Illustration: glutablog",
    },
}

# A fictional reviewer: the demo's medical reviewer, with an account of her
# own in the Reviewers group (ACCOUNTS below).
REVIEWER = {
    "name": "Jane Doe",
    "credentials": "RD",
    "slug": "jane-doe",
    "bio": (
        "Jane Doe is a registered dietitian (a fictional one: she reviews the demo "
        "content). She has worked for twelve years with people living with "
        "digestive conditions, first in a hospital gastroenterology clinic and now "
        "in private practice.\n\n"
        "She reviews our posts on gut health, fiber and supplements: she checks "
        "each claim against its references and asks for changes where the "
        "evidence is thin."
    ),
    "profile_url": "https://example.com/jane-doe-rd",
}
REVIEWER_USERNAME = "reviewer"

# The demo posts' author, the demo editor, as readers see her: a page of her
# own that bylines link to (a fictional person, like the reviewer).
AUTHOR = {
    "name": "Erin Editor",
    "credentials": "MS",
    "slug": "erin-editor",
    "bio": (
        "Erin Editor (a fictional one: she writes the demo content) studied "
        "nutrition science and has written about diet and supplements for eight "
        "years.\n\n"
        "She writes our posts from the studies they cite, and every health claim "
        "goes to a medical reviewer before it is published."
    ),
}
AUTHOR_USERNAME = "editor"

# The site's default share image: what link previews show for a page
# without a picture of its own. Drawn with Pillow (images.demo).
SHARE_IMAGE = {
    "alt": "Illustration: a green leaf above the name glutablog, on a pale green background",
    "caption": "",
    "credit": "Illustration: glutablog",
}
# The editors' topics, all main ones (in the navigation), in this order.
TOPICS = [
    {
        "name": "Gut health",
        "slug": "gut-health",
        "description": (
            "Your gut digests food, absorbs nutrients and houses trillions of microbes. "
            "Posts on the gut lining, the microbiome, fiber and the nutrients that "
            "support them."
        ),
    },
    {
        "name": "Supplements",
        "slug": "supplements",
        "description": (
            "What supplements are, what the research says about them and how to read "
            "their labels. Food comes first; a supplement fills a gap."
        ),
    },
    {
        "name": "Nutrition basics",
        "slug": "nutrition-basics",
        "description": (
            "The everyday groundwork of eating well: fiber, protein, fluids and "
            "minerals, without the jargon."
        ),
    },
]

FDA_DISCLAIMER = {
    "name": "FDA statement",
    "marker": "**",
    "text": (
        "These statements have not been evaluated by the Food and Drug "
        "Administration. This product is not intended to diagnose, treat, "
        "cure, or prevent any disease."
    ),
    "is_default": True,
}

OTHER_POSTS = [
    {
        "title": "Fiber: Why Your Gut Needs More of It",
        "slug": "fiber-why-your-gut-needs-more",
        "topics": ["gut-health", "nutrition-basics"],
        "summary": "Most of us eat about half the fiber we should. Where to find it and how to add it without discomfort.",
        "body": (
            "Most adults eat far less fiber than the 25 to 38 grams a day that dietary "
            "guidelines suggest.\n\n"
            "## Where to find it\n\n"
            "* Whole grains such as oats and brown rice\n"
            "* Beans, lentils and peas\n"
            "* Vegetables, fruit, nuts and seeds\n\n"
            "## Go slowly\n\n"
            "Add fiber a little at a time and drink enough water, so your gut can adapt."
        ),
        "publish_at": dt.datetime(2026, 2, 20, 9, 0, tzinfo=dt.UTC),
    },
    {
        "title": "Protein Powders: Whey, Casein or Plant?",
        "slug": "protein-powders-whey-casein-or-plant",
        "topics": ["supplements", "nutrition-basics"],
        "summary": "A short guide to the main kinds of protein powder and what sets them apart.",
        "body": (
            "Protein powders differ in where the protein comes from and how fast it is digested.\n\n"
            "1. **Whey** is digested quickly, which is why many people take it after training.\n"
            "2. **Casein** is digested slowly.\n"
            "3. **Plant blends** (pea, rice, soy) suit people who avoid dairy.\n\n"
            "Whichever you choose, food comes first: a powder is a convenience, not a requirement. [**]"
        ),
        "publish_at": dt.datetime(2026, 1, 28, 9, 0, tzinfo=dt.UTC),
        "disclaimers": ["FDA statement"],
    },
    {
        "title": "Hydration Basics for Active People",
        "slug": "hydration-basics-for-active-people",
        "topics": ["nutrition-basics"],
        "summary": "How much to drink around exercise, and when electrolytes matter.",
        "body": (
            "Thirst is a good guide for most people on most days.\n\n"
            "> Drink to thirst, and a little more when it is hot or you train for longer than an hour.\n\n"
            "For long or hot sessions, a drink with sodium helps replace what you lose in sweat."
        ),
        "publish_at": dt.datetime(2025, 12, 15, 9, 0, tzinfo=dt.UTC),
    },
    {
        "title": "Reading a Supplement Label",
        "slug": "reading-a-supplement-label",
        "topics": ["supplements"],
        "summary": "Serving size, daily value and other ingredients: what each part of the label tells you.",
        "body": (
            "A supplement facts panel lists the serving size first: every amount below it is per serving.\n\n"
            "## Daily value\n\n"
            "The *% Daily Value* shows how much of a day's recommended intake one serving gives.\n\n"
            "## Other ingredients\n\n"
            "Fillers, capsules and flavourings are listed here, in order of weight."
        ),
        "publish_at": dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC),
    },
]

# A post that is scheduled, to show editors what scheduling looks like.
SCHEDULED_POST = {
    "title": "Coming Soon: Electrolytes Explained",
    "slug": "electrolytes-explained",
    "topics": ["nutrition-basics", "supplements"],
    "summary": "Sodium, potassium and magnesium: what they do and who needs more.",
    "body": "Sodium, potassium and magnesium keep nerves and muscles working.",
    "schedule_in": dt.timedelta(days=30),
}

ACCOUNTS = [
    # username, first name, last name, group, superuser
    ("editor", "Erin", "Editor", "Editors", False),
    ("moderator", "Morgan", "Moderator", "Moderators", False),
    ("reviewer", "Jane", "Doe", "Reviewers", False),
    ("admin", "Ada", "Admin", None, True),
]
