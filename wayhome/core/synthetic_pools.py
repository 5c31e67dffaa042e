"""Value pools for ``synthetic.py``: countries of origin with their weights, and per-region pools
of given and family names with their spellings in their own script and common transliteration
variants. SYNTHETIC DATA ONLY: names are common names, combined at random.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NamePool:
    """Names of one language region. ``script``: a name's form in its own script (where the
    project stores ``name_as_written``); ``variants``: other Latin spellings (``other_names``)."""

    male: tuple[str, ...]
    female: tuple[str, ...]
    family: tuple[str, ...]
    language: str
    script: dict[str, str] = field(default_factory=dict)
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    middle: bool = False  # a father's name between given and family name (often)
    female_family: dict[str, str] = field(default_factory=dict)  # Ivanov -> Ivanova


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ARABIC = NamePool(
    male=_t(
        "Mohammed Ahmed Ali Omar Hassan Hussein Khaled Youssef Ibrahim Mustafa Abdullah Karim "
        "Tariq Samir Nabil Walid Hamza Bilal Said Rachid Adel Jamal Faris Ziad Anas Mahmoud "
        "Saleh Yasin Haider Abbas"
    ),
    female=_t(
        "Fatima Aisha Mariam Zainab Noor Layla Huda Amina Salma Rania Hanan Samira Yasmin "
        "Khadija Sara Iman Nadia Rasha Dalia Asmaa Souad Hiba Malak Rim"
    ),
    family=_t(
        "Al-Hassan Haddad Khalil Mansour Saleh Nasser Hamdan Jaber Al-Jubouri Al-Obaidi "
        "Al-Tamimi Al-Zubaidi Benali El-Amrani Bouzid Mahmoud Ibrahim Ismail Othman Suleiman "
        "Darwish Farouk Hamid Qasim Rahman Sabri Taha Al-Saadi Belkacem Cherif Hamadi Mejri"
    ),
    language="ar",
    script={
        "Mohammed": "محمد",
        "Ahmed": "أحمد",
        "Ali": "علي",
        "Omar": "عمر",
        "Hassan": "حسن",
        "Hussein": "حسين",
        "Khaled": "خالد",
        "Youssef": "يوسف",
        "Ibrahim": "إبراهيم",
        "Mustafa": "مصطفى",
        "Fatima": "فاطمة",
        "Aisha": "عائشة",
        "Mariam": "مريم",
        "Zainab": "زينب",
        "Noor": "نور",
        "Layla": "ليلى",
        "Al-Hassan": "الحسن",
        "Haddad": "حداد",
        "Khalil": "خليل",
        "Mansour": "منصور",
        "Saleh": "صالح",
        "Nasser": "ناصر",
        "Mahmoud": "محمود",
        "Ismail": "إسماعيل",
        "Othman": "عثمان",
        "Suleiman": "سليمان",
    },
    variants={
        "Mohammed": ("Muhammad", "Mohamed", "Mohamad"),
        "Ahmed": ("Ahmad",),
        "Hussein": ("Husayn", "Hussain", "Hosein"),
        "Youssef": ("Yusuf", "Youcef", "Yousef"),
        "Khaled": ("Khalid",),
        "Mustafa": ("Mostafa", "Moustafa"),
        "Omar": ("Umar",),
        "Fatima": ("Fatma", "Fatimah"),
        "Aisha": ("Aicha", "Aysha"),
        "Zainab": ("Zeinab", "Zaynab"),
        "Layla": ("Leila", "Laila"),
        "Al-Hassan": ("Alhassan", "El Hassan"),
        "Mansour": ("Mansur",),
        "Suleiman": ("Sulaiman", "Slimane"),
        "Othman": ("Osman", "Uthman"),
    },
    middle=True,
)

PERSIAN = NamePool(
    male=_t(
        "Ahmad Mohammad Ali Reza Hamid Javad Mehdi Hossein Farid Naveed Sohrab Wahid Zabihullah "
        "Mujtaba Rahim Karim Jawad Habib Nasir Shafiq Omid Amir Sayed Masoud Hamidullah"
    ),
    female=_t(
        "Zahra Maryam Fatemeh Parisa Shabnam Farzana Nargis Roya Laleh Mina Soraya Zarghona "
        "Hamida Fereshta Marzia Sakina Mahbooba Nilofar"
    ),
    family=_t(
        "Ahmadi Mohammadi Hosseini Rahimi Karimi Sultani Hashimi Noori Azizi Jafari Rezaei "
        "Sadeghi Haidari Amiri Nazari Popal Stanekzai Wardak Safi Qaderi Sharifi Yousufzai "
        "Habibi Rasuli Akbari"
    ),
    language="fa",
    script={
        "Ahmad": "احمد",
        "Mohammad": "محمد",
        "Ali": "علی",
        "Reza": "رضا",
        "Zahra": "زهرا",
        "Maryam": "مریم",
        "Ahmadi": "احمدی",
        "Mohammadi": "محمدی",
        "Hosseini": "حسینی",
        "Rahimi": "رحیمی",
        "Karimi": "کریمی",
    },
    variants={
        "Mohammad": ("Muhammad", "Mohammed"),
        "Hossein": ("Hussain", "Husain"),
        "Fatemeh": ("Fatima",),
        "Hosseini": ("Husseini", "Hussaini"),
        "Naveed": ("Navid",),
        "Noori": ("Nouri", "Nuri"),
        "Yousufzai": ("Yousafzai",),
    },
)

WEST_AFRICA = NamePool(
    male=_t(
        "Mamadou Ousmane Ibrahima Abdoulaye Moussa Chukwuemeka Emeka Oluwaseun Tunde Kwame Kofi "
        "Sekou Lamine Boubacar Amadou Adama Babacar Modou Yaw Ifeanyi Alhassane Samba Cheikh "
        "Souleymane Mohamed Issa"
    ),
    female=_t(
        "Aminata Fatou Mariama Awa Kadiatou Ngozi Chioma Aissatou Adaeze Folake Abena Akosua "
        "Binta Oumou Rokia Hawa Ramatoulaye Nafissatou Blessing Precious"
    ),
    family=_t(
        "Diallo Barry Bah Sow Traore Coulibaly Keita Camara Toure Ndiaye Diop Fall Okafor "
        "Okonkwo Adeyemi Balogun Mensah Owusu Boateng Sylla Cisse Konate Kouyate Sangare Jallow "
        "Ceesay Sissoko Kante Doumbia Faye Gueye Ba Okeke Eze Nwosu"
    ),
    language="fr",
    variants={
        "Mamadou": ("Mamadu",),
        "Ousmane": ("Usman", "Ousman"),
        "Abdoulaye": ("Abdullahi", "Abdulai"),
        "Moussa": ("Musa",),
        "Traore": ("Traoré",),
        "Toure": ("Touré",),
        "Cisse": ("Cissé",),
        "Konate": ("Konaté",),
        "Aissatou": ("Aisatu",),
    },
)

HORN = NamePool(
    male=_t(
        "Yohannes Tesfaye Dawit Abel Biniam Mulugeta Gebremedhin Tekle Abdirahman Abdullahi "
        "Mohamed Hassan Ahmed Mahad Liban Filmon Semere Kibrom Samuel Daniel"
    ),
    female=_t(
        "Helen Selam Mekdes Hiwot Tsega Saba Ayan Hodan Fadumo Hibaq Sahra Nasra Senait Luwam "
        "Rahel Meron"
    ),
    family=_t(
        "Tesfay Gebre Haile Kidane Berhane Tekle Mehari Woldemichael Abraha Ghebreyesus Warsame "
        "Farah Jama Hussein Omar Abdi Nur Osman Tsegay Habte Mengistu Girma Alemu"
    ),
    language="am",
    script={
        "Yohannes": "ዮሐንስ",
        "Tesfaye": "ተስፋዬ",
        "Dawit": "ዳዊት",
        "Gebremedhin": "ገብረመድህን",
        "Haile": "ኃይሌ",
        "Tekle": "ተክለ",
        "Selam": "ሰላም",
        "Hiwot": "ሕይወት",
    },
    variants={
        "Yohannes": ("Yohanes", "Johannes"),
        "Gebremedhin": ("Gebre Medhin", "Ghebremedhin"),
        "Tesfay": ("Tesfaye",),
        "Woldemichael": ("Wolde Michael", "Weldemichael"),
        "Mohamed": ("Maxamed",),
        "Abdirahman": ("Cabdiraxmaan",),
    },
    middle=True,
)

SOUTH_ASIA = NamePool(
    male=_t(
        "Muhammad Imran Bilal Usman Asif Kamran Rashid Shahid Rahul Arjun Sanjay Rakib Tanvir "
        "Sohel Faisal Zubair Waqas Adnan Arif Jahid"
    ),
    female=_t(
        "Ayesha Sana Nadia Farhana Shirin Priya Anjali Nasrin Rubina Shabana Taslima Sadia "
        "Mehwish Rukhsana"
    ),
    family=_t(
        "Khan Ahmed Hussain Shah Malik Iqbal Butt Chaudhry Rahman Islam Hossain Uddin Sheikh "
        "Singh Kumar Sharma Akhtar Mirza Qureshi Siddiqui Haque Mia Sarkar"
    ),
    language="ur",
    variants={
        "Muhammad": ("Mohammad", "Mohammed"),
        "Hussain": ("Hussein", "Husain"),
        "Chaudhry": ("Chaudhary", "Choudhury"),
        "Hossain": ("Hussain", "Hosen"),
        "Ayesha": ("Aisha",),
    },
)

CYRILLIC = NamePool(
    male=_t(
        "Aleksandr Alexei Dmitri Sergei Andrei Ivan Mikhail Nikolai Vladimir Oleg Igor Yuri "
        "Maksim Artem Pavel Roman"
    ),
    female=_t("Olga Natalia Elena Irina Tatiana Svetlana Anna Maria Yulia Ekaterina Oksana Daria"),
    family=_t(
        "Ivanov Smirnov Popov Kuznetsov Petrov Sokolov Lebedev Kozlov Novikov Morozov Volkov "
        "Pavlov Fedorov Orlov Zaitsev"
    ),
    language="ru",
    script={
        "Aleksandr": "Александр",
        "Alexei": "Алексей",
        "Dmitri": "Дмитрий",
        "Sergei": "Сергей",
        "Ivan": "Иван",
        "Olga": "Ольга",
        "Natalia": "Наталья",
        "Elena": "Елена",
        "Ivanov": "Иванов",
        "Smirnov": "Смирнов",
        "Petrov": "Петров",
        "Lebedev": "Лебедев",
    },
    variants={
        "Alexei": ("Aleksei", "Alexey"),
        "Dmitri": ("Dmitry", "Dmitrij"),
        "Sergei": ("Sergey", "Sergej"),
        "Yuri": ("Yury", "Jurij"),
        "Smirnov": ("Smirnow",),
        "Lebedev": ("Lebedew",),
        "Natalia": ("Natalya",),
    },
    female_family={
        name: name + "a"
        for name in _t(
            "Ivanov Smirnov Popov Kuznetsov Petrov Sokolov Lebedev Kozlov Novikov Morozov "
            "Volkov Pavlov Fedorov Orlov Zaitsev"
        )
    },
)

GEORGIAN = NamePool(
    male=_t("Giorgi Davit Levan Irakli Nika Lasha Zurab Giga Tornike Aleksandre Beka Sandro"),
    female=_t("Tamar Nino Ana Mariam Eka Ketevan Salome Natia Sopio Maia"),
    family=_t(
        "Beridze Kapanadze Gelashvili Maisuradze Giorgadze Lomidze Tsiklauri Bolkvadze "
        "Abashidze Nozadze Mchedlishvili Kvaratskhelia Japaridze Khutsishvili Chkheidze"
    ),
    language="ka",
    script={"Giorgi": "გიორგი", "Davit": "დავით", "Nino": "ნინო", "Beridze": "ბერიძე"},
    variants={"Davit": ("David",), "Giorgi": ("George",)},
)

BALKAN = NamePool(
    male=_t(
        "Arben Besnik Dritan Ermal Fatmir Gentian Ilir Luan Milan Nikola Stefan Marko Bujar "
        "Agron Bekim"
    ),
    female=_t("Anila Blerta Elona Jonida Mirela Ana Jelena Milica Drita Valbona Teuta"),
    family=_t(
        "Hoxha Shehu Gashi Krasniqi Berisha Leka Kola Dervishi Petrovic Jovanovic Nikolic "
        "Markovic Morina Bajrami Hasani"
    ),
    language="sq",
    variants={"Petrovic": ("Petrović",), "Jovanovic": ("Jovanović",), "Hoxha": ("Hodja",)},
)

LATAM = NamePool(
    male=_t("José Juan Luis Carlos Jorge Miguel Andrés Diego Alejandro Fernando Ricardo"),
    female=_t("María Ana Carmen Luisa Daniela Valentina Gabriela Paola Andrea Camila"),
    family=_t(
        "García Rodríguez Martínez López González Hernández Pérez Sánchez Ramírez Torres Flores "
        "Rivera Gómez Díaz Morales Castillo"
    ),
    language="es",
    middle=True,  # the second surname (mother's) for many
)

#: Country of origin: (weight, name pool, language). Weights follow the pattern of assisted
#: returns (many from West Africa, Iraq, Georgia, Afghanistan...), not any one year's figures.
ORIGINS: dict[str, tuple[float, NamePool]] = {
    "IQ": (9, ARABIC),
    "GE": (7, GEORGIAN),
    "NG": (7, WEST_AFRICA),
    "GN": (6, WEST_AFRICA),
    "ML": (5, WEST_AFRICA),
    "SN": (4, WEST_AFRICA),
    "GM": (3, WEST_AFRICA),
    "CI": (3, WEST_AFRICA),
    "AF": (5, PERSIAN),
    "IR": (3, PERSIAN),
    "ET": (5, HORN),
    "ER": (1.5, HORN),
    "SO": (2, HORN),
    "PK": (4, SOUTH_ASIA),
    "BD": (4, SOUTH_ASIA),
    "AL": (4, BALKAN),
    "RS": (2, BALKAN),
    "MK": (2, BALKAN),
    "RU": (2.5, CYRILLIC),
    "UA": (1.5, CYRILLIC),
    "MA": (4, ARABIC),
    "DZ": (3, ARABIC),
    "TN": (3, ARABIC),
    "EG": (2, ARABIC),
    "SD": (2, ARABIC),
    "CO": (2.5, LATAM),
    "VE": (1.5, LATAM),
    "PE": (1, LATAM),
}

#: Host countries on the central Mediterranean route, where West and East African returns
#: dominate.
AFRICAN_HOSTS = frozenset({"NE", "LY", "MA", "DZ", "TN", "DJ", "EG", "SD", "ML", "TD"})
AFRICAN_POOLS = (WEST_AFRICA, HORN)

#: Host offices created when the database has none: (code, name, country).
DEFAULT_HOSTS: tuple[tuple[str, str, str], ...] = (
    ("de-ber", "Berlin", "DE"),
    ("gr-ath", "Athens", "GR"),
    ("ma-rba", "Rabat", "MA"),
    ("ne-nim", "Niamey", "NE"),
    ("be-bru", "Brussels", "BE"),
)
#: Origin offices created when the database has none.
DEFAULT_ORIGINS: tuple[tuple[str, str, str], ...] = (
    ("ng-los", "Lagos", "NG"),
    ("iq-bgw", "Baghdad", "IQ"),
    ("sn-dkr", "Dakar", "SN"),
    ("gn-cky", "Conakry", "GN"),
    ("ge-tbs", "Tbilisi", "GE"),
)

FUNDING: dict[str, tuple[str, ...]] = {
    "DE": ("REAG/GARP", "StarthilfePlus", "EU AMIF"),
    "GR": ("EU AMIF", "Hellenic AVRR"),
    "BE": ("Fedasil", "EU AMIF"),
    "NE": ("EU-IOM Joint Initiative", "IOM Development Fund"),
    "MA": ("EU-IOM Joint Initiative",),
}
DEFAULT_FUNDING = ("EU AMIF", "IOM Development Fund", "Government of the host country")

PLAN_NEEDS = (
    "Wants to restart the family shop",
    "Looking for work in construction",
    "Needs housing for the first months",
    "Wishes to finish vocational training",
    "Needs medical follow-up",
    "Wants to raise livestock",
)
LINE_TEXT: dict[str, tuple[str, ...]] = {
    "business": ("Grocery shop stock", "Tailoring equipment", "Mobile phone repair kit"),
    "vocational_training": ("Electrician course", "Driving licence", "Welding apprenticeship"),
    "job_placement": ("Wage subsidy, three months",),
    "financial_literacy": ("Business skills workshop",),
    "housing": ("Rent, three months", "Household items"),
    "education": ("School fees", "School supplies"),
    "medical_care": ("Medical consultations", "Medication, six months"),
    "legal_documentation": ("Civil documents",),
    "basic_needs": ("Food parcels",),
    "psychosocial_support": ("Counselling sessions",),
    "family_community": ("Family mediation",),
    "community_project": ("Community garden",),
}
