"""Curated word lists for attribution: reporting verbs, titles and roles, organisations, pronouns.

General English newsroom vocabulary only; nothing here names a particular person or outlet.
"""

from __future__ import annotations


def _forms(*stems: str) -> frozenset[str]:
    """Each stem given as 'base past third-person participle' -> every listed form."""
    return frozenset(word for stem in stems for word in stem.split())


# Verbs that report speech: the quote next to them is the subject's words.
REPORTING_VERBS = _forms(
    "say said says saying",
    "tell told tells telling",
    "add added adds adding",
    "ask asked asks asking",
    "echo echoed echoes echoing",
    "write wrote writes writing written",
    "note noted notes noting",
    "warn warned warns warning",
    "insist insisted insists insisting",
    "explain explained explains explaining",
    "tweet tweeted tweets tweeting",
    "post posted posts",
    "state stated states stating",
    "declare declared declares declaring",
    "announce announced announces announcing",
    "claim claimed claims claiming",
    "argue argued argues arguing",
    "recall recalled recalls recalling",
    "continue continued continues continuing",
    "reply replied replies replying",
    "respond responded responds responding",
    "answer answered answers answering",
    "remark remarked remarks remarking",
    "comment commented comments commenting",
    "suggest suggested suggests suggesting",
    "admit admitted admits admitting",
    "acknowledge acknowledged acknowledges acknowledging",
    "concede conceded concedes conceding",
    "contend contended contends contending",
    "maintain maintained maintains maintaining",
    "stress stressed stresses stressing",
    "emphasize emphasized emphasizes emphasizing emphasise emphasised emphasises",
    "urge urged urges urging",
    "vow vowed vows vowing",
    "promise promised promises promising",
    "predict predicted predicts predicting",
    "conclude concluded concludes concluding",
    "observe observed observes observing",
    "joke joked jokes joking",
    "quip quipped quips quipping",
    "shout shouted shouts shouting",
    "yell yelled yells yelling",
    "cry cried cries crying",
    "scream screamed screams screaming",
    "whisper whispered whispers whispering",
    "mutter muttered mutters muttering",
    "exclaim exclaimed exclaims exclaiming",
    "boast boasted boasts boasting",
    "complain complained complains complaining",
    "lament lamented laments lamenting",
    "plead pleaded pleads pleading pled",
    "beg begged begs begging",
    "demand demanded demands demanding",
    "testify testified testifies testifying",
    "confirm confirmed confirms confirming",
    "deny denied denies denying",
    "assert asserted asserts asserting",
    "agree agreed agrees agreeing",
    "counter countered counters countering",
    "retort retorted retorts retorting",
    "reiterate reiterated reiterates reiterating",
    "mention mentioned mentions mentioning",
    "recount recounted recounts recounting",
    "reflect reflected reflects reflecting",
    "sigh sighed sighs sighing",
    "chant chanted chants chanting",
    "interject interjected interjects",
    "wonder wondered wonders wondering",
    "caution cautioned cautions cautioning",
    "allege alleged alleges alleging",
    "report reported reports reporting",
    "reveal revealed reveals revealing",
    "blog blogged blogs",
    "text texted texts",
    "email emailed emails",
    "begin began begins",
    "snap snapped snaps",
    "laugh laughed laughs laughing",
    "elaborate elaborated elaborates",
    "opine opined opines",
    "muse mused muses musing",
    "implore implored implores imploring",
    "appeal appealed appeals appealing",
    "put",
)

# Verbs that credit a short phrase to its subject when the phrase is their object: `X called it
# "a disgrace"`, `X described the plan as "reckless"`.
FRAGMENT_VERBS = REPORTING_VERBS | _forms(
    "blame blamed blames blaming",
    "call called calls calling",
    "describe described describes describing",
    "term termed terms",
    "dub dubbed dubs",
    "label labelled labeled labels labelling labeling",
    "brand branded brands branding",
    "characterize characterized characterizes characterise characterised",
    "decry decried decries decrying",
    "denounce denounced denounces denouncing",
    "condemn condemned condemns condemning",
    "praise praised praises praising",
    "hail hailed hails hailing",
    "criticize criticized criticizes criticise criticised criticising",
    "blast blasted blasts blasting",
    "slam slammed slams slamming",
    "pledge pledged pledges pledging",
    "liken likened likens",
    "compare compared compares",
    "refer referred refers referring",
    "accuse accused accuses accusing",
    "vow vowed",
    "dismiss dismissed dismisses dismissing",
    "mock mocked mocks mocking",
    "welcome welcomed welcomes welcoming",
    "express expressed expresses expressing",
    "voice voiced voices voicing",
    "promise promised",
    "lash lashed lashes",
    "hit",
    "deride derided derides",
    "applaud applauded applauds",
    "thank thanked thanks",
)


# Words that stand before a name as a title or role; the last one in a capitalised run ends the
# role (`Turkish President Recep Erdogan` -> role `Turkish President`, name `Recep Erdogan`).
TITLE_WORDS = frozenset(
    w.lower()
    for w in [
        "President",
        "Vice",
        "Prime",
        "Minister",
        "Secretary",
        "Secretary-General",
        "Ambassador",
        "Envoy",
        "Senator",
        "Sen",
        "Rep",
        "Representative",
        "Congressman",
        "Congresswoman",
        "Gov",
        "Governor",
        "Lieutenant",
        "Lt",
        "Mayor",
        "Deputy",
        "Chief",
        "CEO",
        "CFO",
        "COO",
        "CTO",
        "Chairman",
        "Chairwoman",
        "Chair",
        "Chairperson",
        "Director",
        "Commissioner",
        "Spokesman",
        "Spokeswoman",
        "Spokesperson",
        "Judge",
        "Justice",
        "Attorney",
        "Attorney-General",
        "General",
        "Gen",
        "Col",
        "Colonel",
        "Capt",
        "Captain",
        "Sgt",
        "Sergeant",
        "Officer",
        "Detective",
        "Det",
        "Inspector",
        "Insp",
        "Superintendent",
        "Supt",
        "Sheriff",
        "Chancellor",
        "Premier",
        "King",
        "Queen",
        "Prince",
        "Princess",
        "Pope",
        "Cardinal",
        "Bishop",
        "Archbishop",
        "Rev",
        "Reverend",
        "Father",
        "Rabbi",
        "Imam",
        "Sheikh",
        "Dr",
        "Doctor",
        "Prof",
        "Professor",
        "Mr",
        "Mrs",
        "Ms",
        "Miss",
        "Mx",
        "Sir",
        "Dame",
        "Lord",
        "Lady",
        "Coach",
        "Manager",
        "Correspondent",
        "Reporter",
        "Editor",
        "Analyst",
        "Economist",
        "Founder",
        "Co-founder",
        "Leader",
        "Head",
        "Councillor",
        "Cllr",
        "Councilman",
        "Councilwoman",
        "Councilmember",
        "Councillor",
        "Alderman",
        "Alderwoman",
        "Speaker",
        "Whip",
        "Adviser",
        "Advisor",
        "Aide",
        "Treasurer",
        "Comptroller",
        "Marshal",
        "Trooper",
        "Constable",
        "Commander",
        "Admiral",
        "Adm",
        "Maj",
        "Major",
        "Cpl",
        "Corporal",
        "Pvt",
        "Private",
        "Emir",
        "Crown",
        "Activist",
        "Lawyer",
        "Prosecutor",
        "Physician",
        "Nurse",
        "Scientist",
        "Researcher",
        "Astronaut",
        "Author",
        "Writer",
        "Actor",
        "Actress",
        "Producer",
        "Singer",
        "Rapper",
        "Star",
        "Striker",
        "Goalkeeper",
        "Quarterback",
        "Forward",
        "Defender",
        "Midfielder",
        "Pitcher",
        "Trainer",
        "Owner",
        "Chef",
        "Executive",
        "Officer",
        "Counsel",
        "Solicitor",
        "Barrister",
        "Magistrate",
        "Auditor",
        "Principal",
        "Superintendent",
        "Dean",
        "Provost",
        "Chancellor",
        "Rector",
        "Pastor",
        "Minister",
        "Councilor",
        "Assemblyman",
        "Assemblywoman",
        "Assemblymember",
        "Delegate",
        "Legislator",
        "Lawmaker",
        "MP",
        "MEP",
        "MSP",
        "TD",
        "Sen.",
        "Rep.",
        "Gov.",
        "Dr.",
        "Prof.",
        "Mr.",
        "Mrs.",
        "Ms.",
        "Gen.",
        "Col.",
        "Capt.",
        "Sgt.",
        "Lt.",
        "Det.",
        "Insp.",
        "Supt.",
        "Rev.",
        "Adm.",
        "Maj.",
        "Cpl.",
        "Pvt.",
        "Cllr.",
        "Hon.",
        "Hon",
        "Premier-elect",
        "President-elect",
        "Mayor-elect",
        "Governor-elect",
        "Sister",
        "Brother",
        "Mother",
        "Imam",
        "Grand",
        "Ayatollah",
        "Chief-Executive",
        "Presenter",
        "Host",
        "Anchor",
        "Commentator",
        "Pundit",
        "Historian",
        "Professor",
        "Curator",
        "Architect",
        "Designer",
        "Engineer",
        "Coordinator",
        "Organizer",
        "Organiser",
        "Campaigner",
        "Chairman-elect",
        "Surgeon",
        "Veterinarian",
        "Midwife",
        "Paramedic",
        "Firefighter",
        "Ranger",
        "Warden",
        "Governor-General",
        "Viceroy",
        "Consul",
        "Diplomat",
        "Envoy",
        "Negotiator",
        "Mediator",
        "Sen.-elect",
        "Monsignor",
        "Patriarch",
        "Elder",
        "Chieftain",
        "Democrat",
        "Republican",
        "Labour",
        "Tory",
        "Conservative",
        "Socialist",
        "Backbencher",
        "Member",
        "blame",
        "blamed",
        "blames",
        "blaming",
    ]
)

# Honorifics that tell a gender when no first name does.
MALE_HONORIFICS = frozenset(("mr mr. sir lord king prince father brother").split())
FEMALE_HONORIFICS = frozenset(
    ("mrs mrs. ms ms. miss dame lady queen princess sister mother").split()
)

# Nouns heading a phrase that denotes a person by role: `the senator said`, `a witness said`.
PERSON_ROLE_NOUNS = frozenset(
    (
        "president minister secretary ambassador envoy senator representative congressman "
        "congresswoman governor mayor deputy chief executive ceo chairman chairwoman chair "
        "director commissioner spokesman spokeswoman spokesperson judge justice attorney "
        "general officer detective inspector superintendent sheriff chancellor premier king "
        "queen prince princess pope cardinal bishop rabbi imam doctor professor coach manager "
        "correspondent reporter editor analyst economist founder leader head councillor "
        "councilman councilwoman councilmember alderman speaker adviser advisor aide "
        "treasurer marshal trooper constable commander admiral activist lawyer prosecutor "
        "physician nurse scientist researcher astronomer astronaut author writer actor "
        "actress producer singer rapper star player striker goalkeeper quarterback forward "
        "defender midfielder pitcher trainer owner chef counsel solicitor barrister "
        "magistrate principal dean teacher student witness resident neighbor neighbour "
        "survivor victim mother father son daughter wife husband sister brother friend "
        "official source expert member farmer worker driver passenger customer fan voter "
        "protester demonstrator organizer organiser campaigner candidate nominee incumbent "
        "challenger lawmaker legislator politician diplomat negotiator official employee "
        "staffer volunteer owner landlord tenant shopkeeper pilot soldier veteran firefighter "
        "paramedic surgeon engineer architect designer historian curator host presenter "
        "anchor commentator pundit critic novelist poet artist musician director filmmaker "
        "composer dancer athlete runner swimmer cyclist captain colonel sergeant lieutenant "
        "major private corporal general emir monarch ruler dictator regime boss investor "
        "trader banker accountant consultant spokesman-elect midwife ranger warden consul "
        "citizen mom dad grandmother grandfather parent child girl boy man woman person "
        "individual officer guard attendee participant delegate minister-president "
        "chancellor-elect mp mep president-elect superstar legend manager-elect defenceman "
        "defenseman winger backbencher meteorologist forecaster clerk cashier bartender "
        "waiter homeowner commuter shopper tourist visitor pastor priest chaplain coroner "
        "moderator trustee niece nephew uncle aunt cousin grandson granddaughter stepson "
        "stepdaughter mate partner fiancee fiance widow widower colleague teammate coworker "
        "boyfriend girlfriend supervisor operator technician dispatcher conductor foreman "
        "administrator coordinator planner contractor electrician plumber carpenter mechanic "
        "welder miner fisherman fishermen rancher vendor merchant butcher baker photographer "
        "journalist blogger user poster commenter listener viewer reader caller instructor "
        "lecturer tutor referee umpire"
    ).split()
)

# Nouns heading a phrase that denotes an organisation: `the company said`, `the ministry said`.
ORG_ROLE_NOUNS = frozenset(
    (
        "company firm group agency department ministry government administration council "
        "commission committee party union organization organisation association federation "
        "league club team board authority office service utility bank university college "
        "school hospital institute foundation charity network channel newspaper paper outlet "
        "station campaign coalition alliance movement court tribunal panel army military navy "
        "police force forces regime cabinet parliament congress senate assembly legislature "
        "embassy consulate mission delegation corporation conglomerate startup retailer "
        "manufacturer carrier airline operator provider insurer lender bureau center centre "
        "observatory watchdog regulator body county city state province district municipality "
        "town council-run trust church diocese fund studio label publisher developer "
        "utility-owned brand chain maker automaker giant platform website app site"
    ).split()
)

# Words inside a capitalised name that make it an organisation rather than a person.
ORG_NAME_WORDS = frozenset(
    (
        "corp corp. corporation inc inc. incorporated ltd ltd. llc plc gmbh ag sa co co. "
        "company companies group holdings bank ministry department agency council commission "
        "committee party university college school academy hospital clinic institute "
        "association union federation league club police service services authority board "
        "court office foundation fund organization organisation observatory network news "
        "times post journal press tribune herald gazette guardian telegraph reuters hydro "
        "energy airlines airways motors technologies technology labs laboratories systems "
        "partners capital government administration army navy forces church parliament "
        "congress senate assembly cabinet bureau center centre trust coalition alliance "
        "movement project society institution programme program initiative commission network "
        "broadcasting radio television tv media industries international global worldwide "
        "enterprises solutions pharmaceuticals pharma insurance securities exchange fc afc "
        "united city rovers athletic utility utilities electric railway railways transit "
        "transport authority council regiment brigade secretariat tribunal consortium "
        "cooperative co-op families parents citizens friends advocates taxpayers district "
        "districts forum"
    ).split()
)


# Determiners that make a role phrase indefinite: such speakers are kept as written.
INDEFINITE_DETERMINERS = frozenset(
    {"a", "an", "one", "another", "some", "several", "many", "two", "three", "few", "other"}
)
DEFINITE_DETERMINERS = frozenset({"the", "his", "her", "their", "its", "our"})

# Plural bare nouns that are sources on their own: `officials said`, `police said`.
BARE_PLURAL_SOURCES = frozenset(
    (
        "officials police witnesses residents protesters demonstrators analysts experts "
        "critics sources organizers organisers authorities prosecutors investigators doctors "
        "scientists researchers lawmakers legislators activists locals villagers neighbours "
        "neighbors parents teachers students workers employees staff campaigners supporters "
        "opponents economists observers diplomats rescuers firefighters paramedics medics "
        "officers troops soldiers rebels fans players voters people survivors relatives "
        "families members leaders executives spokespeople representatives regulators"
    ).split()
)

# Capitalised words that start sentences or otherwise are not names.
NON_NAME_WORDS = frozenset(
    (
        "a an the this that these those it its it's he she they we i you his her their our my "
        "your him them us me who whom whose which what when where why how there here then now "
        "and but or nor so yet for if because although though while whereas since unless as "
        "after before during until upon once meanwhile however moreover furthermore also "
        "still even just only perhaps maybe indeed instead otherwise therefore thus hence "
        "besides yesterday today tonight tomorrow monday tuesday wednesday thursday friday "
        "saturday sunday january february march april may june july august september october "
        "november december in on at by with from into onto about against between among "
        "through over under above below across behind beyond near without within along around "
        "of to not no yes well oh mr mrs ms dr all some many most more much few several each "
        "every any both either neither another other such one two three four five six seven "
        "eight nine ten first second third last next new old according asked said says told "
        "added under-secretary watch read see click share photo video image source file getty "
        "ap afp reuters-photo advertisement published updated editor's note update breaking "
        "exclusive live opinion analysis comment comments speaking asked earlier later "
        "recently previously currently finally initially ultimately eventually again already "
        "always never often sometimes usually soon like unlike despite amid via per is are "
        "was were be been being has have had do does did will would can could should must "
        "shall am"
    ).split()
)

# Last words that make a name an organisation's even after a first name (`Jordan Bank`).
ORG_SUFFIXES = frozenset(
    (
        "corp corporation inc incorporated ltd llc plc gmbh ag co company group holdings bank "
        "ministry department agency council commission committee university institute "
        "association union federation foundation authority police"
    ).split()
)
