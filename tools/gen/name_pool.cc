#include "tools/gen/name_pool.h"

#include <array>

namespace scimflow::gen {
namespace {

// The ASCII lists are long enough (100 × 100) that first.last pairs rarely repeat in a small
// fixture; uniqueness of userNames never depends on them (a serial number is appended).
constexpr PoolName kAsciiGiven[] = {
    {"James", "james"},
    {"Mary", "mary"},
    {"Robert", "robert"},
    {"Patricia", "patricia"},
    {"John", "john"},
    {"Jennifer", "jennifer"},
    {"Michael", "michael"},
    {"Linda", "linda"},
    {"David", "david"},
    {"Elizabeth", "elizabeth"},
    {"William", "william"},
    {"Barbara", "barbara"},
    {"Richard", "richard"},
    {"Susan", "susan"},
    {"Joseph", "joseph"},
    {"Jessica", "jessica"},
    {"Thomas", "thomas"},
    {"Sarah", "sarah"},
    {"Charles", "charles"},
    {"Karen", "karen"},
    {"Christopher", "christopher"},
    {"Lisa", "lisa"},
    {"Daniel", "daniel"},
    {"Nancy", "nancy"},
    {"Matthew", "matthew"},
    {"Betty", "betty"},
    {"Anthony", "anthony"},
    {"Sandra", "sandra"},
    {"Mark", "mark"},
    {"Margaret", "margaret"},
    {"Donald", "donald"},
    {"Ashley", "ashley"},
    {"Steven", "steven"},
    {"Kimberly", "kimberly"},
    {"Andrew", "andrew"},
    {"Emily", "emily"},
    {"Paul", "paul"},
    {"Donna", "donna"},
    {"Joshua", "joshua"},
    {"Michelle", "michelle"},
    {"Kenneth", "kenneth"},
    {"Carol", "carol"},
    {"Kevin", "kevin"},
    {"Amanda", "amanda"},
    {"Brian", "brian"},
    {"Melissa", "melissa"},
    {"George", "george"},
    {"Deborah", "deborah"},
    {"Timothy", "timothy"},
    {"Stephanie", "stephanie"},
    {"Ronald", "ronald"},
    {"Rebecca", "rebecca"},
    {"Jason", "jason"},
    {"Sharon", "sharon"},
    {"Edward", "edward"},
    {"Laura", "laura"},
    {"Jeffrey", "jeffrey"},
    {"Cynthia", "cynthia"},
    {"Ryan", "ryan"},
    {"Kathleen", "kathleen"},
    {"Jacob", "jacob"},
    {"Amy", "amy"},
    {"Gary", "gary"},
    {"Angela", "angela"},
    {"Nicholas", "nicholas"},
    {"Shirley", "shirley"},
    {"Eric", "eric"},
    {"Anna", "anna"},
    {"Jonathan", "jonathan"},
    {"Brenda", "brenda"},
    {"Stephen", "stephen"},
    {"Pamela", "pamela"},
    {"Larry", "larry"},
    {"Emma", "emma"},
    {"Justin", "justin"},
    {"Nicole", "nicole"},
    {"Scott", "scott"},
    {"Helen", "helen"},
    {"Brandon", "brandon"},
    {"Samantha", "samantha"},
    {"Benjamin", "benjamin"},
    {"Katherine", "katherine"},
    {"Samuel", "samuel"},
    {"Christine", "christine"},
    {"Gregory", "gregory"},
    {"Debra", "debra"},
    {"Alexander", "alexander"},
    {"Rachel", "rachel"},
    {"Frank", "frank"},
    {"Carolyn", "carolyn"},
    {"Patrick", "patrick"},
    {"Janet", "janet"},
    {"Raymond", "raymond"},
    {"Catherine", "catherine"},
    {"Jack", "jack"},
    {"Maria", "maria"},
    {"Dennis", "dennis"},
    {"Heather", "heather"},
    {"Priya", "priya"},
    {"Omar", "omar"},
};

constexpr PoolName kAsciiFamily[] = {
    {"Smith", "smith"},
    {"Johnson", "johnson"},
    {"Williams", "williams"},
    {"Brown", "brown"},
    {"Jones", "jones"},
    {"Garcia", "garcia"},
    {"Miller", "miller"},
    {"Davis", "davis"},
    {"Rodriguez", "rodriguez"},
    {"Martinez", "martinez"},
    {"Hernandez", "hernandez"},
    {"Lopez", "lopez"},
    {"Gonzalez", "gonzalez"},
    {"Wilson", "wilson"},
    {"Anderson", "anderson"},
    {"Thomas", "thomas"},
    {"Taylor", "taylor"},
    {"Moore", "moore"},
    {"Jackson", "jackson"},
    {"Martin", "martin"},
    {"Lee", "lee"},
    {"Perez", "perez"},
    {"Thompson", "thompson"},
    {"White", "white"},
    {"Harris", "harris"},
    {"Sanchez", "sanchez"},
    {"Clark", "clark"},
    {"Ramirez", "ramirez"},
    {"Lewis", "lewis"},
    {"Robinson", "robinson"},
    {"Walker", "walker"},
    {"Young", "young"},
    {"Allen", "allen"},
    {"King", "king"},
    {"Wright", "wright"},
    {"Scott", "scott"},
    {"Torres", "torres"},
    {"Nguyen", "nguyen"},
    {"Hill", "hill"},
    {"Flores", "flores"},
    {"Green", "green"},
    {"Adams", "adams"},
    {"Nelson", "nelson"},
    {"Baker", "baker"},
    {"Hall", "hall"},
    {"Rivera", "rivera"},
    {"Campbell", "campbell"},
    {"Mitchell", "mitchell"},
    {"Carter", "carter"},
    {"Roberts", "roberts"},
    {"Gomez", "gomez"},
    {"Phillips", "phillips"},
    {"Evans", "evans"},
    {"Turner", "turner"},
    {"Diaz", "diaz"},
    {"Parker", "parker"},
    {"Cruz", "cruz"},
    {"Edwards", "edwards"},
    {"Collins", "collins"},
    {"Reyes", "reyes"},
    {"Stewart", "stewart"},
    {"Morris", "morris"},
    {"Morales", "morales"},
    {"Murphy", "murphy"},
    {"Cook", "cook"},
    {"Rogers", "rogers"},
    {"Gutierrez", "gutierrez"},
    {"Ortiz", "ortiz"},
    {"Morgan", "morgan"},
    {"Cooper", "cooper"},
    {"Peterson", "peterson"},
    {"Bailey", "bailey"},
    {"Reed", "reed"},
    {"Kelly", "kelly"},
    {"Howard", "howard"},
    {"Ramos", "ramos"},
    {"Kim", "kim"},
    {"Cox", "cox"},
    {"Ward", "ward"},
    {"Richardson", "richardson"},
    {"Watson", "watson"},
    {"Brooks", "brooks"},
    {"Chavez", "chavez"},
    {"Wood", "wood"},
    {"James", "james"},
    {"Bennett", "bennett"},
    {"Gray", "gray"},
    {"Mendoza", "mendoza"},
    {"Ruiz", "ruiz"},
    {"Hughes", "hughes"},
    {"Price", "price"},
    {"Alvarez", "alvarez"},
    {"Castillo", "castillo"},
    {"Sanders", "sanders"},
    {"Patel", "patel"},
    {"Myers", "myers"},
    {"O'Brien", "obrien"},
    {"Long", "long"},
    {"Ross", "ross"},
    {"Foster", "foster"},
};

constexpr PoolName kAccentedGiven[] = {
    {"José", "jose"},
    {"Zoë", "zoe"},
    {"Łukasz", "lukasz"},
    {"François", "francois"},
    {"Søren", "soren"},
    {"Inés", "ines"},
    {"Jürgen", "jurgen"},
    {"Zoé", "zoe"},
    {"Çağla", "cagla"},
    {"Ana María", "anamaria"},
    {"Renée", "renee"},
    {"Björn", "bjorn"},
    {"Małgorzata", "malgorzata"},
    {"Tomáš", "tomas"},
    {"Ægir", "aegir"},
    {"Héloïse", "heloise"},
    {"Dániel", "daniel"},
    {"Joël", "joel"},
    {"Željko", "zeljko"},
    {"Íñigo", "inigo"},
};

constexpr PoolName kAccentedFamily[] = {
    {"Müller", "muller"},         {"García-Núñez", "garcianunez"},
    {"Øster", "oster"},           {"Dvořák", "dvorak"},
    {"Lefèvre", "lefevre"},       {"Wójcik", "wojcik"},
    {"Sánchez", "sanchez"},       {"Jääskeläinen", "jaaskelainen"},
    {"Çelik", "celik"},           {"Nørgaard", "norgaard"},
    {"Schröder", "schroder"},     {"Ibáñez", "ibanez"},
    {"Kovačević", "kovacevic"},   {"Lindström", "lindstrom"},
    {"Brontë", "bronte"},         {"Gonçalves", "goncalves"},
    {"Şahin", "sahin"},           {"Kowalczyk-Łęcka", "kowalczyklecka"},
    {"Hämäläinen", "hamalainen"}, {"Fernández", "fernandez"},
};

constexpr PoolName kCjkGiven[] = {
    {"伟", "wei"},        {"芳", "fang"},     {"秀英", "xiuying"}, {"翔太", "shota"},
    {"さくら", "sakura"}, {"陽菜", "hina"},   {"민준", "minjun"},  {"서연", "seoyeon"},
    {"浩然", "haoran"},   {"美咲", "misaki"}, {"지훈", "jihoon"},  {"静", "jing"},
};

constexpr PoolName kCjkFamily[] = {
    {"王", "wang"},   {"李", "li"},       {"张", "zhang"},       {"刘", "liu"},
    {"佐藤", "sato"}, {"鈴木", "suzuki"}, {"高橋", "takahashi"}, {"김", "kim"},
    {"이", "lee"},    {"박", "park"},     {"陈", "chen"},        {"田中", "tanaka"},
};

constexpr std::string_view kNicknames[] = {"Bob", "Liz", "Sam",   "Max", "Alex",
                                           "Kim", "Jo",  "Chris", "Pat", "Dani"};

constexpr std::string_view kDepartments[] = {
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Legal",
    "Support",
    "Research, Europe",
    "Operations",
    "People & Culture",
    "Product",
    "Design",
    "Security",
    "IT",
    "Data Science",
    "Customer Success",
    "Développement",
    "Facilities",
    "Procurement",
};

constexpr std::string_view kTeams[] = {
    "Platform",   "Infrastructure", "EMEA",        "APAC",           "Americas", "Mobile",
    "Web",        "Payments",       "Identity",    "Analytics",      "Growth",   "Onboarding",
    "Compliance", "Tooling",        "Reliability", "\"Tiger\" Team", "Zürich",   "Admins",
};

}  // namespace

std::span<const PoolName> GivenNames(Culture culture) {
  switch (culture) {
    case Culture::kAccented:
      return kAccentedGiven;
    case Culture::kCjk:
      return kCjkGiven;
    case Culture::kAscii:
      break;
  }
  return kAsciiGiven;
}

std::span<const PoolName> FamilyNames(Culture culture) {
  switch (culture) {
    case Culture::kAccented:
      return kAccentedFamily;
    case Culture::kCjk:
      return kCjkFamily;
    case Culture::kAscii:
      break;
  }
  return kAsciiFamily;
}

std::span<const std::string_view> Nicknames() { return kNicknames; }
std::span<const std::string_view> Departments() { return kDepartments; }
std::span<const std::string_view> Teams() { return kTeams; }

}  // namespace scimflow::gen
