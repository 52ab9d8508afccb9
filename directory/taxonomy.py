"""The category taxonomy shipped with the catalogue, and the capability features.

This is data, kept in code so that migrations can load it (see migrations/0002_taxonomy.py) and the
demo, importers and search can name categories by their stable slug. Codes are this project's own:
two digits for a group, four for a category inside it. `aliases` are other names a professional or an
open-data file uses for the same thing (abbreviations such as GH, names as WAM NET writes them); search
and the importers read them.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    code: str
    name: str
    name_kana: str
    name_en: str
    kind: str = "formal"
    parent: str | None = None
    aliases: tuple[str, ...] = field(default_factory=tuple)


def _group(slug, code, name, kana, en, kind="formal", aliases=()):
    return CategorySpec(slug, code, name, kana, en, kind, None, tuple(aliases))


def _in(parent, slug, code, name, kana, en, aliases=(), kind="formal"):
    return CategorySpec(slug, code, name, kana, en, kind, parent, tuple(aliases))


CATEGORIES: tuple[CategorySpec, ...] = (
    # 障害福祉サービス: every service type of the WAM NET open data.
    _group(
        "welfare-services",
        "10",
        "障害福祉サービス",
        "しょうがいふくしさーびす",
        "Disability welfare services",
    ),
    _in("welfare-services", "care-benefits", "11", "介護給付", "かいごきゅうふ", "Care benefits"),
    _in(
        "care-benefits",
        "home-care",
        "1101",
        "居宅介護",
        "きょたくかいご",
        "Home care",
        ("ホームヘルプ", "ヘルパー"),
    ),
    _in(
        "care-benefits",
        "severe-home-care",
        "1102",
        "重度訪問介護",
        "じゅうどほうもんかいご",
        "Home care for severe disabilities",
        ("重訪",),
    ),
    _in(
        "care-benefits",
        "accompanied-outing",
        "1103",
        "同行援護",
        "どうこうえんご",
        "Accompanied outing (visual)",
    ),
    _in(
        "care-benefits",
        "behavioral-support",
        "1104",
        "行動援護",
        "こうどうえんご",
        "Behavioural support outing",
    ),
    _in("care-benefits", "medical-care", "1105", "療養介護", "りょうようかいご", "Medical long-term care"),
    _in(
        "care-benefits",
        "daily-life-care",
        "1106",
        "生活介護",
        "せいかつかいご",
        "Daily life care",
        ("生介", "通所介護"),
    ),
    _in(
        "care-benefits",
        "short-stay",
        "1107",
        "短期入所",
        "たんきにゅうしょ",
        "Short stay (respite)",
        ("ショートステイ", "ショート"),
    ),
    _in(
        "care-benefits",
        "comprehensive-support",
        "1108",
        "重度障害者等包括支援",
        "じゅうどしょうがいしゃとうほうかつしえん",
        "Comprehensive support for severe disabilities",
    ),
    _in(
        "care-benefits",
        "residential-support",
        "1109",
        "施設入所支援",
        "しせつにゅうしょしえん",
        "Residential facility support",
        ("入所施設",),
    ),
    _in(
        "welfare-services",
        "training-benefits",
        "12",
        "訓練等給付",
        "くんれんとうきゅうふ",
        "Training benefits",
    ),
    _in(
        "training-benefits",
        "functional-training",
        "1201",
        "自立訓練（機能訓練）",
        "じりつくんれん（きのうくんれん）",
        "Independence training (functional)",
        ("機能訓練",),
    ),
    _in(
        "training-benefits",
        "life-training",
        "1202",
        "自立訓練（生活訓練）",
        "じりつくんれん（せいかつくんれん）",
        "Independence training (daily living)",
        ("生活訓練",),
    ),
    _in(
        "training-benefits",
        "residential-life-training",
        "1203",
        "宿泊型自立訓練",
        "しゅくはくがたじりつくんれん",
        "Residential independence training",
    ),
    _in(
        "training-benefits",
        "employment-transition",
        "1204",
        "就労移行支援",
        "しゅうろういこうしえん",
        "Transition to employment",
        ("移行",),
    ),
    _in(
        "training-benefits",
        "employment-a",
        "1205",
        "就労継続支援A型",
        "しゅうろうけいぞくしえんえーがた",
        "Continued employment support type A",
        ("A型", "就労A"),
    ),
    _in(
        "training-benefits",
        "employment-b",
        "1206",
        "就労継続支援B型",
        "しゅうろうけいぞくしえんびーがた",
        "Continued employment support type B",
        ("B型", "就労B"),
    ),
    _in(
        "training-benefits",
        "employment-retention",
        "1207",
        "就労定着支援",
        "しゅうろうていちゃくしえん",
        "Employment retention support",
        ("定着",),
    ),
    _in(
        "training-benefits",
        "employment-selection",
        "1208",
        "就労選択支援",
        "しゅうろうせんたくしえん",
        "Employment choice support",
    ),
    _in(
        "training-benefits",
        "independent-living",
        "1209",
        "自立生活援助",
        "じりつせいかつえんじょ",
        "Independent living assistance",
    ),
    _in(
        "training-benefits",
        "group-home",
        "1210",
        "共同生活援助",
        "きょうどうせいかつえんじょ",
        "Group home",
        (
            "グループホーム",
            "GH",
            "共同生活援助（介護サービス包括型）",
            "共同生活援助（外部サービス利用型）",
            "共同生活援助（日中サービス支援型）",
        ),
    ),
    _in("welfare-services", "consultation", "13", "相談支援", "そうだんしえん", "Consultation support"),
    _in(
        "consultation",
        "plan-consultation",
        "1301",
        "計画相談支援",
        "けいかくそうだんしえん",
        "Service plan consultation",
        ("計画相談", "特定相談支援"),
    ),
    _in(
        "consultation",
        "community-transition",
        "1302",
        "地域相談支援（地域移行支援）",
        "ちいきそうだんしえん（ちいきいこうしえん）",
        "Community transition support",
        ("地域移行", "地域相談支援（地域移行）"),
    ),
    _in(
        "consultation",
        "community-settlement",
        "1303",
        "地域相談支援（地域定着支援）",
        "ちいきそうだんしえん（ちいきていちゃくしえん）",
        "Community settlement support",
        ("地域定着", "地域相談支援（地域定着）"),
    ),
    _in(
        "consultation",
        "child-consultation",
        "1304",
        "障害児相談支援",
        "しょうがいじそうだんしえん",
        "Consultation support for children",
        ("障害児相談",),
    ),
    _in(
        "welfare-services",
        "child-day-services",
        "14",
        "障害児通所支援",
        "しょうがいじつうしょしえん",
        "Day services for children",
    ),
    _in(
        "child-day-services",
        "child-development",
        "1401",
        "児童発達支援",
        "じどうはったつしえん",
        "Child development support",
        ("児発",),
    ),
    _in(
        "child-day-services",
        "medical-child-development",
        "1402",
        "医療型児童発達支援",
        "いりょうがたじどうはったつしえん",
        "Medical child development support",
        ("医療型児発",),
    ),
    _in(
        "child-day-services",
        "after-school-day",
        "1403",
        "放課後等デイサービス",
        "ほうかごとうでいさーびす",
        "After-school day service",
        ("放デイ", "放課後デイ"),
    ),
    _in(
        "child-day-services",
        "home-visit-child-development",
        "1404",
        "居宅訪問型児童発達支援",
        "きょたくほうもんがたじどうはったつしえん",
        "Home-visit child development support",
    ),
    _in(
        "child-day-services",
        "nursery-visit-support",
        "1405",
        "保育所等訪問支援",
        "ほいくしょとうほうもんしえん",
        "Nursery visit support",
    ),
    _in(
        "welfare-services",
        "child-residential",
        "15",
        "障害児入所支援",
        "しょうがいじにゅうしょしえん",
        "Residential care for children",
    ),
    _in(
        "child-residential",
        "welfare-child-residential",
        "1501",
        "福祉型障害児入所施設",
        "ふくしがたしょうがいじにゅうしょしせつ",
        "Welfare-type residential facility for children",
    ),
    _in(
        "child-residential",
        "medical-child-residential",
        "1502",
        "医療型障害児入所施設",
        "いりょうがたしょうがいじにゅうしょしせつ",
        "Medical-type residential facility for children",
    ),
    # 地域生活支援事業 (run by municipalities).
    _group(
        "community-life-support",
        "20",
        "地域生活支援事業",
        "ちいきせいかつしえんじぎょう",
        "Community life support programmes",
    ),
    _in(
        "community-life-support",
        "mobility-support",
        "2001",
        "移動支援",
        "いどうしえん",
        "Mobility support",
        ("ガイドヘルプ",),
    ),
    _in(
        "community-life-support",
        "day-temporary-care",
        "2002",
        "日中一時支援",
        "にっちゅういちじしえん",
        "Daytime temporary care",
        ("日中一時",),
    ),
    _in(
        "community-life-support",
        "community-activity-center",
        "2003",
        "地域活動支援センター",
        "ちいきかつどうしえんせんたー",
        "Community activity support centre",
        ("地活",),
    ),
    _in(
        "community-life-support",
        "communication-support",
        "2004",
        "意思疎通支援",
        "いしそつうしえん",
        "Communication support (sign language, captioning)",
        ("手話通訳", "要約筆記"),
    ),
    # Health.
    _group("health", "30", "医療・保健", "いりょう・ほけん", "Health"),
    _in(
        "health",
        "hospital-clinic",
        "3001",
        "病院・診療所",
        "びょういん・しんりょうじょ",
        "Hospital or clinic",
        ("病院", "クリニック"),
    ),
    _in("health", "home-nursing", "3002", "訪問看護", "ほうもんかんご", "Home-visit nursing", ("訪看",)),
    _in(
        "health",
        "health-center",
        "3003",
        "保健センター",
        "ほけんせんたー",
        "Public health centre",
        ("保健所",),
    ),
    # Other public bodies.
    _group("public-bodies", "40", "公的機関・相談窓口", "こうてききかん・そうだんまどぐち", "Public bodies"),
    _in(
        "public-bodies",
        "social-welfare-council",
        "4001",
        "社会福祉協議会",
        "しゃかいふくしきょうぎかい",
        "Social welfare council",
        ("社協",),
    ),
    _in(
        "public-bodies",
        "core-consultation-center",
        "4002",
        "基幹相談支援センター",
        "きかんそうだんしえんせんたー",
        "Core consultation support centre",
        ("基幹",),
    ),
    _in(
        "public-bodies",
        "hello-work",
        "4003",
        "ハローワーク",
        "はろーわーく",
        "Public employment office",
        ("公共職業安定所",),
    ),
    _in(
        "public-bodies",
        "special-needs-school",
        "4004",
        "特別支援学校",
        "とくべつしえんがっこう",
        "Special needs school",
        ("支援学校",),
    ),
    # Informal supports.
    _group(
        "informal", "50", "インフォーマル支援", "いんふぉーまるしえん", "Informal supports", kind="informal"
    ),
    _in(
        "informal",
        "family",
        "5001",
        "家族・親族",
        "かぞく・しんぞく",
        "Family and relatives",
        kind="informal",
    ),
    _in(
        "informal",
        "friends-neighbours",
        "5002",
        "友人・近隣",
        "ゆうじん・きんりん",
        "Friends and neighbours",
        kind="informal",
    ),
    _in(
        "informal",
        "minsei-iin",
        "5003",
        "民生委員",
        "みんせいいいん",
        "Community welfare volunteer (minsei-iin)",
        kind="informal",
    ),
    _in("informal", "volunteers", "5004", "ボランティア", "ぼらんてぃあ", "Volunteers", kind="informal"),
    _in(
        "informal",
        "salon",
        "5005",
        "サロン・居場所",
        "さろん・いばしょ",
        "Salon or drop-in place",
        ("居場所", "サロン", "カフェ"),
        kind="informal",
    ),
    _in(
        "informal",
        "peer-groups",
        "5006",
        "家族会・当事者会",
        "かぞくかい・とうじしゃかい",
        "Family and peer groups",
        ("家族会", "当事者会", "ピア"),
        kind="informal",
    ),
    _in(
        "informal",
        "leisure",
        "5007",
        "余暇・スポーツ・習い事",
        "よか・すぽーつ・ならいごと",
        "Leisure, sports and lessons",
        ("余暇", "スポーツ", "習い事"),
        kind="informal",
    ),
)


@dataclass(frozen=True)
class FeatureSpec:
    slug: str
    name: str
    name_en: str


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("transport", "送迎", "Transport"),
    FeatureSpec("bathing", "入浴", "Bathing"),
    FeatureSpec("meals", "食事提供", "Meals"),
    FeatureSpec("medical-care", "医療的ケア", "Medical care (tube feeding, suction)"),
    FeatureSpec("challenging-behaviour", "強度行動障害", "Severe behavioural disorders"),
    FeatureSpec("smid", "重症心身障害", "Severe motor and intellectual disabilities"),
    FeatureSpec("open-weekends", "土日祝開所", "Open at weekends and holidays"),
    FeatureSpec("multifunction", "多機能型", "Multi-function office"),
    FeatureSpec("kyoseigata", "共生型", "Shared service (kyōsei-gata)"),
    FeatureSpec("trial", "体験利用可", "Trial use possible"),
    FeatureSpec("wheelchair", "車椅子対応", "Wheelchair accessible"),
    FeatureSpec("sign-language", "手話対応", "Sign language"),
    FeatureSpec("female-staff", "同性介助", "Same-sex care"),
    FeatureSpec("emergency", "緊急時対応", "Emergency response"),
)
