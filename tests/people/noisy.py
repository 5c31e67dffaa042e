"""A generator of noisy registrations for measuring duplicate detection.

People are drawn from four naming traditions (Arabic, Russian/Ukrainian in Cyrillic, Tigrinya in
Ge'ez script, West African in Latin script), each name with its native writing and the Latin
spellings found in real files. Then some people are registered again, as happens across offices
and years: in the other script or another spelling, family name first, with a typo, a part
missing, day and month swapped, or only the year of birth known.

Ground truth: every record carries the number of the person it belongs to. Two different people
never share both the same names and the same year of birth (such pairs cannot be told apart by
any engine, and the field resolves them by documents and interviews).
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace
from datetime import date, timedelta

from wayhome.people.matching import DobPrecision, Identity

# (native writing, Latin spellings). The first Latin spelling is the most common one.
Name = tuple[str, tuple[str, ...]]

ARABIC_GIVEN: list[Name] = [
    ("محمد", ("Mohammed", "Muhammad", "Mohamed", "Mohamad")),
    ("أحمد", ("Ahmed", "Ahmad")),
    ("علي", ("Ali",)),
    ("حسن", ("Hassan", "Hasan")),
    ("حسين", ("Hussein", "Hussain", "Husain")),
    ("عمر", ("Omar", "Umar")),
    ("خالد", ("Khaled", "Khalid")),
    ("يوسف", ("Youssef", "Yusuf", "Yousef")),
    ("إبراهيم", ("Ibrahim", "Ebrahim")),
    ("عبد الله", ("Abdullah", "Abdallah", "Abd Allah")),
    ("مصطفى", ("Mustafa", "Moustafa")),
    ("كريم", ("Karim", "Kareem")),
    ("سعيد", ("Said", "Saeed")),
    ("جمال", ("Jamal", "Gamal")),
    ("عثمان", ("Othman", "Osman", "Uthman")),
    ("صالح", ("Saleh", "Salih")),
    ("محمود", ("Mahmoud", "Mahmud")),
    ("رشيد", ("Rashid", "Rachid")),
    ("ناصر", ("Nasser", "Nasir")),
    ("طارق", ("Tarek", "Tariq")),
    ("فاطمة", ("Fatima", "Fatma", "Fatimah")),
    ("عائشة", ("Aisha", "Aicha", "Ayesha")),
    ("مريم", ("Maryam", "Mariam")),
    ("زينب", ("Zainab", "Zeinab")),
    ("نور", ("Nour", "Noor")),
    ("سارة", ("Sara", "Sarah")),
    ("ليلى", ("Layla", "Leila")),
    ("هدى", ("Huda", "Hoda")),
    ("أمينة", ("Amina", "Aminah")),
    ("خديجة", ("Khadija", "Khadidja")),
]
ARABIC_FAMILY: list[Name] = [
    ("الحسن", ("Al-Hassan", "Alhassan", "El Hassan")),
    ("الجبوري", ("Al-Jubouri", "Al Juburi", "Aljubouri")),
    ("العبيدي", ("Al-Obaidi", "Al Ubaydi")),
    ("حداد", ("Haddad",)),
    ("منصور", ("Mansour", "Mansur")),
    ("التكريتي", ("Al-Tikriti", "Tikriti")),
    ("الشمري", ("Al-Shammari", "Alshammari")),
    ("النعيمي", ("Al-Nuaimi", "Al Naimi")),
    ("سليمان", ("Suleiman", "Sulaiman", "Soliman")),
    ("درويش", ("Darwish", "Derwich")),
    ("قاسم", ("Qasim", "Kassem", "Qassim")),
    ("عباس", ("Abbas",)),
    ("بكر", ("Bakr", "Bakir")),
    ("حمدان", ("Hamdan",)),
    ("الزبيدي", ("Al-Zubaidi", "Zubaidi")),
    ("الكردي", ("Al-Kurdi", "Kurdi")),
    ("بن علي", ("Ben Ali", "Bin Ali")),
    ("يعقوب", ("Yacoub", "Yaqub", "Yakoub")),
    ("الأحمد", ("Al-Ahmad", "Alahmad")),
    ("فرحات", ("Farhat", "Ferhat")),
]
CYRILLIC_GIVEN: list[Name] = [
    ("Александр", ("Aleksandr", "Alexander", "Alexandr")),
    ("Алексей", ("Aleksey", "Alexei", "Alexey")),
    ("Дмитрий", ("Dmitriy", "Dmitry", "Dmitri")),
    ("Сергей", ("Sergey", "Sergei")),
    ("Андрей", ("Andrey", "Andrei")),
    ("Иван", ("Ivan",)),
    ("Михаил", ("Mikhail", "Michail")),
    ("Николай", ("Nikolay", "Nikolai")),
    ("Виктор", ("Viktor", "Victor")),
    ("Олег", ("Oleg",)),
    ("Юлия", ("Yuliya", "Yulia", "Iuliia")),
    ("Наталья", ("Natalya", "Natalia", "Natalja")),
    ("Татьяна", ("Tatyana", "Tatiana")),
    ("Елена", ("Elena", "Yelena")),
    ("Ольга", ("Olga",)),
    ("Оксана", ("Oksana", "Oxana")),
    ("Ирина", ("Irina", "Iryna")),
    ("Светлана", ("Svetlana",)),
    ("Анна", ("Anna",)),
    ("Мария", ("Mariya", "Maria")),
]
CYRILLIC_FAMILY: list[Name] = [
    ("Иванов", ("Ivanov",)),
    ("Щербаков", ("Shcherbakov", "Scherbakov")),
    ("Кузнецов", ("Kuznetsov", "Kusnezow")),
    ("Попов", ("Popov",)),
    ("Соколов", ("Sokolov", "Sokolow")),
    ("Смирнов", ("Smirnov", "Smirnow")),
    ("Васильев", ("Vasilyev", "Vasiliev", "Wassiljew")),
    ("Фёдоров", ("Fyodorov", "Fedorov")),
    ("Ковальчук", ("Kovalchuk", "Kowalczuk")),
    ("Шевченко", ("Shevchenko", "Chevtchenko")),
    ("Бондаренко", ("Bondarenko",)),
    ("Ткаченко", ("Tkachenko", "Tkatchenko")),
    ("Мельник", ("Melnyk", "Melnik")),
    ("Морозов", ("Morozov", "Morosow")),
    ("Волков", ("Volkov", "Wolkow")),
    ("Лебедев", ("Lebedev", "Lebedew")),
    ("Новиков", ("Novikov", "Nowikow")),
    ("Козлов", ("Kozlov", "Koslow")),
    ("Павленко", ("Pavlenko",)),
    ("Гончаренко", ("Goncharenko", "Hontcharenko")),
]
TIGRINYA_NAMES: list[Name] = [  # given and father's names: the same pool, as in the tradition
    ("ተስፋይ", ("Tesfay", "Tesfaye")),
    ("ገብረመድህን", ("Gebremedhin", "Gebremedhn")),
    ("ሃይለ", ("Haile", "Hayle")),
    ("ዮሃንስ", ("Yohannes", "Yohanes")),
    ("ኣማኒኤል", ("Amanuel", "Amaniel")),
    ("ሰላም", ("Selam",)),
    ("ሳባ", ("Saba",)),
    ("ፍሬወይኒ", ("Freweini", "Freweyni")),
    ("ክብሮም", ("Kibrom", "Kbrom")),
    ("ሙሴ", ("Musie", "Muse")),
    ("ብርሃነ", ("Berhane", "Birhane")),
    ("ኪዳነ", ("Kidane",)),
    ("ወልደ", ("Welde", "Weldu")),
    ("ሃብቶም", ("Habtom",)),
    ("ጎይቶም", ("Goitom", "Goytom")),
    ("ኣብርሃም", ("Abraham", "Abrham")),
    ("ሚካኤል", ("Mikael", "Michael")),
    ("ኣስመሮም", ("Asmerom",)),
    ("ሉዋም", ("Luwam",)),
    ("ምሕረት", ("Mehret", "Mihret")),
    ("ሰናይት", ("Senait", "Senayt")),
    ("ዳዊት", ("Dawit",)),
    ("መብራህቱ", ("Mebrahtu",)),
    ("ገብረሂወት", ("Gebrehiwet",)),
    ("ተወልደ", ("Tewelde",)),
    ("ዓወት", ("Awet",)),
]
WEST_AFRICAN_GIVEN: list[Name] = [
    ("Chinedu", ("Chinedu",)),
    ("Oluwaseun", ("Oluwaseun", "Seun")),
    ("Adebayo", ("Adebayo",)),
    ("Ngozi", ("Ngozi",)),
    ("Mamadou", ("Mamadou", "Mamadu")),
    ("Fatou", ("Fatou", "Fatu")),
    ("Ousmane", ("Ousmane", "Usman")),
    ("Aminata", ("Aminata",)),
    ("Ibrahima", ("Ibrahima",)),
    ("Moussa", ("Moussa", "Musa")),
    ("Chiamaka", ("Chiamaka",)),
    ("Emeka", ("Emeka",)),
    ("Blessing", ("Blessing",)),
    ("Abdoulaye", ("Abdoulaye", "Abdulai")),
    ("Awa", ("Awa",)),
    ("Kadiatou", ("Kadiatou", "Kadiatu")),
    ("Babajide", ("Babajide",)),
    ("Folasade", ("Folasade",)),
    ("Modou", ("Modou", "Modu")),
    ("Binta", ("Binta",)),
]
WEST_AFRICAN_FAMILY: list[Name] = [
    ("Okafor", ("Okafor",)),
    ("Adeyemi", ("Adeyemi",)),
    ("Okonkwo", ("Okonkwo",)),
    ("Diallo", ("Diallo", "Jallow")),
    ("Ndiaye", ("Ndiaye", "N'Diaye")),
    ("Traoré", ("Traore", "Traoré")),
    ("Sow", ("Sow",)),
    ("Ba", ("Ba", "Bah")),
    ("Diop", ("Diop",)),
    ("Fall", ("Fall",)),
    ("Balogun", ("Balogun",)),
    ("Eze", ("Eze",)),
    ("Nwosu", ("Nwosu",)),
    ("Camara", ("Camara", "Kamara")),
    ("Keita", ("Keita", "Keïta")),
    ("Coulibaly", ("Coulibaly", "Kulibali")),
    ("Sarr", ("Sarr",)),
    ("Mensah", ("Mensah",)),
    ("Oyelaran", ("Oyelaran",)),
    ("Touré", ("Toure", "Touré")),
]


@dataclass(frozen=True)
class Tradition:
    given: list[Name]
    family: list[Name]
    nationalities: tuple[str, ...]
    parts: tuple[int, ...]  # how many names a person has (given, [father's], family)
    native_script: bool  # whether the native writing differs from the Latin spellings


TRADITIONS = [
    Tradition(ARABIC_GIVEN, ARABIC_FAMILY, ("IQ", "SY", "SD", "MA", "LY"), (2, 3), True),
    Tradition(CYRILLIC_GIVEN, CYRILLIC_FAMILY, ("RU", "UA", "BY"), (2,), True),
    Tradition(TIGRINYA_NAMES, TIGRINYA_NAMES, ("ER", "ET"), (2, 3), True),
    Tradition(WEST_AFRICAN_GIVEN, WEST_AFRICAN_FAMILY, ("NG", "SN", "GN", "ML"), (2, 3), False),
]


@dataclass(frozen=True)
class Person:
    """A true person: which names (indexes into the tradition's pools), birth, sex, nationality."""

    tradition: int
    names: tuple[Name, ...]
    date_of_birth: date
    sex: str
    nationality: str


@dataclass(frozen=True)
class Record:
    person: int  # the ground truth: records of one person share this number
    identity: Identity
    noise: tuple[str, ...]  # what was done to this registration (for failure reports)


def _person(rng: random.Random) -> Person:
    index = rng.randrange(len(TRADITIONS))
    tradition = TRADITIONS[index]
    parts = rng.choice(tradition.parts)
    given = rng.choice(tradition.given)
    middle = [rng.choice(tradition.given) for _ in range(parts - 2)]
    family = rng.choice(tradition.family)
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 62))
    return Person(
        tradition=index,
        names=(given, *middle, family),
        date_of_birth=born,
        sex=rng.choice("FM"),
        nationality=rng.choice(tradition.nationalities),
    )


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("insert", "delete", "substitute", "transpose"))
    letter = rng.choice(string.ascii_lowercase)
    if kind == "insert":
        return word[:i] + letter + word[i:]
    if kind == "delete":
        return word[:i] + word[i + 1 :]
    if kind == "substitute":
        return word[:i] + letter + word[i + 1 :]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def _register(rng: random.Random, person: Person, *, noisy: bool) -> tuple[Identity, list[str]]:
    """One registration of ``person``: the first one clean, later ones with noise."""
    tradition = TRADITIONS[person.tradition]
    noise: list[str] = []
    native = tradition.native_script and noisy and rng.random() < 0.35
    spelled = noisy and rng.random() < 0.5
    parts = []
    for written, latin in person.names:
        if native:
            parts.append(written)
        else:
            parts.append(rng.choice(latin) if spelled else latin[0])
    if native:
        noise.append("native script")
    elif spelled:
        noise.append("other spelling")
    dob = person.date_of_birth
    precision = DobPrecision.EXACT
    sex = person.sex
    if noisy:
        if len(parts) >= 3 and rng.random() < 0.2:
            del parts[rng.randrange(1, len(parts) - 1)]
            noise.append("middle name missing")
        if rng.random() < 0.3:
            parts = [parts[-1], *parts[:-1]]
            noise.append("family name first")
        if rng.random() < 0.35:
            i = rng.randrange(len(parts))
            if parts[i].isascii():
                parts[i] = _typo(rng, parts[i])
                noise.append("typo")
        roll = rng.random()
        if roll < 0.15 and dob.day <= 12 and dob.day != dob.month:
            dob = date(dob.year, dob.day, dob.month)
            noise.append("day and month swapped")
        elif roll < 0.27:
            dob = date(dob.year, 1, 1)
            precision = DobPrecision.YEAR
            noise.append("year of birth only")
        if rng.random() < 0.05:
            sex = ""
            noise.append("sex not recorded")
    identity = Identity(
        names=(" ".join(parts),),
        date_of_birth=dob,
        dob_precision=precision,
        sex=sex,
        nationalities=(person.nationality,),
    )
    return identity, noise


def generate(count: int, *, duplicate_share: float = 0.3, seed: int = 2026) -> list[Record]:
    """``count`` registrations, about ``duplicate_share`` of them repeats of an earlier person
    (some people registered three times)."""
    rng = random.Random(seed)
    people: list[Person] = []
    seen: set[tuple[frozenset[str], int]] = set()
    records: list[Record] = []
    while len(records) < count:
        if people and rng.random() < duplicate_share:
            number = rng.randrange(len(people))
            identity, noise = _register(rng, people[number], noisy=True)
            records.append(Record(number, identity, tuple(noise)))
            continue
        person = _person(rng)
        key = (frozenset(latin[0] for _, latin in person.names), person.date_of_birth.year)
        if key in seen:
            continue
        seen.add(key)
        people.append(person)
        identity, _ = _register(rng, person, noisy=False)
        records.append(Record(len(people) - 1, identity, ()))
    return records


def with_names(record: Record, *names: str) -> Record:
    return replace(record, identity=replace(record.identity, names=names))
