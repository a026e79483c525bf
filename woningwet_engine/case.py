"""The case file: a proposed restructuring by one toegelaten instelling, judged on one date.

Case files are YAML (or JSON) validated by these pydantic models; `woningwet schema case`
prints the JSON Schema. Money is written in euros with at most two decimals and held as
integer cents; shares are written as fractions (0.25) and held as integer basis points.
Codes follow the sector standards: CBS GMxxxx/WKxxxxxx/BUxxxxxxxx, VERA MOG detail codes,
VERA VERANTWOORDINGREGIME, Aw L-numbers, KvK numbers.
"""

# No `from __future__ import annotations` here: pydantic would then parse every annotation string
# when the models are defined, which slows down every start of the CLI (docs/benchmarks.md).

import datetime as dt
import weakref
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
    model_serializer,
    model_validator,
)

from .errors import InputError, Problem, invalid
from .units import BP, euros_to_cents, ratio_to_bp
from .yamlio import LoadedYaml, load_yaml_bytes, load_yaml_file, pydantic_problems

MAX_EUR_CENTS = 10**15  # EUR 10 trillion: larger amounts are input errors, not plans
MAX_RATIO = 100  # ratios that are not shares (an ICR, debt over WOZ value) stay below 100
MAX_COMPONENTS = 20_000
MAX_LETTINGS = 200_000


def _cents(value: Any) -> int:
    cents = euros_to_cents(value)
    if cents < 0:
        raise invalid("case.negative_amount")
    if cents > MAX_EUR_CENTS:
        raise invalid("case.amount_range", max=f"{MAX_EUR_CENTS // 100:,}")
    return cents


def _bp(value: Any) -> int:
    bp = ratio_to_bp(value)
    if not 0 <= bp <= BP:
        raise invalid("case.share_range")
    return bp


def _ratio_bp(value: Any) -> int:
    bp = ratio_to_bp(value)
    if not 0 <= bp <= MAX_RATIO * BP:
        raise invalid("case.ratio_range", max=MAX_RATIO)
    return bp


def _cents_out(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def _bp_out(bp: int) -> str:
    return f"{(Decimal(bp) / BP).normalize():f}"


Euro = Annotated[
    int,
    BeforeValidator(_cents),
    PlainSerializer(_cents_out, return_type=str),
    WithJsonSchema(
        {"type": ["number", "string"], "pattern": r"^-?\d+(\.\d{1,2})?$",
         "description": "amount in euros, at most 2 decimals"}
    ),
]
Share = Annotated[
    int,
    BeforeValidator(_bp),
    PlainSerializer(_bp_out, return_type=str),
    WithJsonSchema({"type": ["number", "string"], "minimum": 0, "maximum": 1,
                    "description": "fraction from 0 to 1, e.g. 0.25 for 25%"}),
]
Ratio = Annotated[
    int,
    BeforeValidator(_ratio_bp),
    PlainSerializer(_bp_out, return_type=str),
    WithJsonSchema({"type": ["number", "string"], "minimum": 0, "maximum": MAX_RATIO,
                    "description": "ratio, e.g. 1.6"}),
]
GmCode = Annotated[str, Field(pattern=r"^GM\d{4}$", description="CBS gemeentecode, e.g. GM0344")]
WkCode = Annotated[str, Field(pattern=r"^WK\d{6}$", description="CBS wijkcode")]
BuCode = Annotated[str, Field(pattern=r"^BU\d{8}$", description="CBS buurtcode")]
Count = Annotated[int, Field(ge=0, le=10_000_000, strict=True)]  # strict: `true` is not a number
Area = Annotated[int, Field(ge=0, le=100_000_000, description="m2 BVO", strict=True)]
CaseDate = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
PastDate = Annotated[dt.date, Field(ge=dt.date(1800, 1, 1), le=dt.date(2100, 12, 31))]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Text = Annotated[str, Field(max_length=2000)]


class Strict(BaseModel):
    # defer_build: the validator is built once, for the whole Case, when a case is first validated
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=True, defer_build=True)


class Extended(Strict):
    """A model that gained optional fields after cases were first recorded (ADDED).

    The canonical form of a case (its hash, the stored case of an audit record) is its full dump, with
    every field and its default. A field added later would then change the hash of every existing case,
    and no recorded decision would replay. So an added field is part of the dump only when it is set:
    a case that does not use it dumps, and hashes, exactly as before the field existed. Fields that
    existed when the first cases were recorded keep their defaults in the dump (dropping them would
    change every existing hash too)."""

    ADDED: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _without_unset_additions(self, handler):
        data = handler(self)
        for name in self.ADDED:
            if getattr(self, name) is None:
                data.pop(name, None)
        return data


class Activity(str, Enum):
    build = "build"
    acquire = "acquire"
    renovate = "renovate"  # improvement (verbetering), incl. drastic renovation
    maintain = "maintain"
    demolish = "demolish"
    let = "let"
    sell = "sell"
    liberalise = "liberalise"  # re-let above the liberalisatiegrens
    spend = "spend"  # leefbaarheid or resident-initiative money
    service = "service"
    lend = "lend"
    guarantee = "guarantee"


class ObjectKind(str, Enum):
    dwelling = "dwelling"
    mv = "mv"  # maatschappelijk vastgoed (Ww 45 lid 2 d)
    bog = "bog"  # bedrijfsmatig onroerend goed (Ww 45 lid 2 g)
    parking = "parking"
    land = "land"
    surroundings = "surroundings"  # directly adjacent surroundings of own property
    public_space = "public_space"  # public space beyond the adjacent surroundings
    leefbaarheid = "leefbaarheid"
    service = "service"
    verbinding = "verbinding"  # subsidiary or other verbonden onderneming


class Tenure(str, Enum):
    rent = "rent"
    sale = "sale"
    other_allocation = "other_allocation"  # Ww 47 lid 1 d


class SeparationRegime(str, Enum):
    ADM = "ADM"
    JUR = "JUR"
    HYB = "HYB"
    VER = "VER"


class TenantType(str, Enum):
    social_foundation = "social_foundation"  # statutes exclusively aimed at maatschappelijk belang
    social_association = "social_association"
    government = "government"
    care_provider = "care_provider"
    commercial = "commercial"
    other = "other"


class LeefbaarheidCategory(str, Enum):
    woonmaatschappelijk_werk = "woonmaatschappelijk_werk"  # BTIV 51 lid 1 a
    small_scale_infrastructure = "small_scale_infrastructure"  # BTIV 51 lid 1 b
    clean_safe_nuisance = "clean_safe_nuisance"  # BTIV 51 lid 1 c
    ontmoeting = "ontmoeting"  # meeting / community events (allowed from 2022)
    resident_dwelling_activities = "resident_dwelling_activities"  # BTIV 48 lid 1 a
    general_welfare = "general_welfare"
    public_space_maintenance = "public_space_maintenance"
    other = "other"


class ServiceKind(str, Enum):
    living_related = "living_related"
    care = "care"
    meals = "meals"
    medical = "medical"
    childcare = "childcare"
    school_dropout = "school_dropout"
    parenting_support = "parenting_support"
    utility = "utility"
    utility_via_dwelling_installation = "utility_via_dwelling_installation"
    radio_tv = "radio_tv"
    training = "training"
    cleaning = "cleaning"
    cleaning_new_occupant_or_nuisance = "cleaning_new_occupant_or_nuisance"
    furnishing = "furnishing"
    furnishing_for_furnished_letting = "furnishing_for_furnished_letting"
    mortgage_advice = "mortgage_advice"
    notary = "notary"
    insurance = "insurance"
    owner_occupier_service = "owner_occupier_service"
    money = "money"


class Buyer(str, Enum):
    ti = "ti"
    sitting_tenant = "sitting_tenant"
    owner_occupier = "owner_occupier"
    investor_legal_person = "investor_legal_person"
    investor_natural_person = "investor_natural_person"
    developer = "developer"
    municipality = "municipality"
    mv_tenant = "mv_tenant"
    subsidiary = "subsidiary"
    other = "other"


class Financing(str, Enum):
    wsw = "wsw"
    market = "market"
    internal_loan = "internal_loan"
    own_funds = "own_funds"


class ParkingUse(str, Enum):
    dwellings = "dwellings"  # aanhorigheid of the dwellings
    public = "public"  # stand-alone public or commercial garage


class Counterparty(str, Enum):
    subsidiary = "subsidiary"
    samenwerkingsvennootschap = "samenwerkingsvennootschap"
    woningvennootschap = "woningvennootschap"
    other = "other"


class Location(Strict):
    municipality: GmCode
    wijk: WkCode | None = None
    buurt: BuCode | None = None
    cbs_year: int | None = Field(None, ge=2000, le=2100, description="CBS indeling year of the codes")
    area_has_corporation_homes: bool | None = Field(
        None, description="the area (wijk/buurt) holds dwellings owned by toegelaten instellingen")
    wijk_function: bool | None = Field(None, description="building serves the wijk, buurt or buurtschap")
    adjacent_to_own_property: bool | None = Field(
        None, description="directly adjacent to / in the direct vicinity of the corporation's property")


class Land(Strict):
    built: bool | None = Field(None, description="bebouwde grond (Ww 45 lid 4 b)")
    acquired_on: PastDate | None = None
    herstructurering: bool = Field(False, description="BTIV art. 1 herstructurering: demolish DAEB, build non-DAEB")
    contributes_to_daeb: bool | None = Field(None, description="activity on unbuilt land contributes to DAEB tasks")
    demolition_site: bool | None = Field(
        None, description="rebuilding on the site of dwellings the corporation demolished (Ww 41c exception)")


class RentSurcharges(Strict):
    """The prijsopslagen of Besluit huurprijzen woonruimte art. 8a, as far as the case states them: true
    applies, false does not apply, left out not stated. What is not stated keeps the dwelling's maximum
    rent open between the stated surcharges and every surcharge that might still apply."""

    rijksmonument: bool | None = Field(
        None, description="rijksmonument (Erfgoedwet art. 1.1), lease after the Wet betaalbare huur: +35% (lid 1)")
    gemeentelijk_of_provinciaal_monument: bool | None = Field(
        None, description="gemeentelijk or provinciaal monument: +15% (lid 3)")
    new_middle_segment: bool | None = Field(
        None, description="middeldure huurwoning first used as a dwelling after 2024-07-01, building started "
        "before 2028-01-01, for twenty years: +10% (lid 4)")
    beschermd_gezicht: bool | None = Field(
        None, description="in a rijksbeschermd stads- of dorpsgezicht, built before 1965, not a monument: +5% (lid 5)")


class Dwelling(Extended):
    ADDED = ("rent_surcharges",)

    self_contained: bool = Field(True, description="zelfstandige woning (BW 7:234)")
    tenure: Tenure = Tenure.rent
    rent: Euro | None = Field(None, description="kale huur per month after the activity")
    wws_points: int | None = Field(None, ge=0, le=1000)
    wws_points_source: Text | None = None
    rent_surcharges: RentSurcharges | None = Field(
        None, description="the BHW art. 8a prijsopslagen the case states (mid-rent test from 2024-07-01); without "
        "it a mid-rent between the rent table row and that row raised by every surcharge that can apply (65% "
        "in 2024-2025, 60% from 2026) stays undetermined")


# VERA referentiedata EENHEIDDETAILSOORT with parent MOG (data-standards §1.4): bijlage 3, bijlage 4,
# BTIV 49 lid 2 a, and three codes on no BTIV list. A code outside this list is a typo, not a building
# on no list: it is refused naming the allowed codes instead of silently becoming "forbidden".
VERA_MOG_CODES = (
    "OPV", "HOS", "ZST", "DAG", "BUU", "GEM", "JON", "BIB", "VEI", "MAA", "WEL",
    "WER", "BRE", "WIJ", "SCH", "STP", "MUL", "CUL", "MWR", "WWR",
    "BAS", "CJG",
    "BIJ", "REZ", "KTI",
)


class Mv(Strict):
    vera_code: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="VERA EENHEIDDETAILSOORT code (parent MOG); leave out for a building on no BTIV list")

    @field_validator("vera_code")
    @classmethod
    def _known_code(cls, value):
        if value is not None and value not in VERA_MOG_CODES:
            raise invalid("case.vera_code", got=repr(value), allowed=", ".join(VERA_MOG_CODES))
        return value
    function: Text
    tenant_type: TenantType | None = None
    third_party_floor_m2: Area | None = Field(None, description="floor let to other parties (BTIV 50)")
    owned_on_2015_07_01: bool | None = Field(None, description="owned by the corporation on 1 July 2015")
    annual_rent: Euro | None = None
    build_cost: Euro | None = None
    minister_approval: bool | None = Field(None, description="BTIV 49 lid 2 admission obtained")
    inside_woonzorggebouw: bool | None = None
    integrated_with_housing: bool | None = Field(None, description="structurally one with a TI residential building")


class Bog(Strict):
    use: Annotated[str, Field(max_length=100, description="shop, office, horeca, practice, ...")]
    own_office: bool = False
    existing: bool = Field(False, description="existing BOG owned by the corporation")
    for_sale: bool = Field(False, description="built or acquired to be sold, not let (RTIV 20 lid 1 b instead of a)")
    annual_rent: Euro | None = Field(None, description="expected rent of the first twelve months (RTIV 20 lid 1 a)")


class Parking(Strict):
    use: ParkingUse
    places: Count | None = None
    for_daeb_dwellings: bool | None = Field(None, description="serves DAEB dwellings (aanhorigheid follows them)")


class Leefbaarheid(Strict):
    category: LeefbaarheidCategory
    annual_amount: Euro
    near_own_property_or_tenants: bool | None = None
    for_daeb_dwellings: bool | None = Field(
        None, description="for resident activities (BTIV 48 lid 1 a): the residents live in DAEB dwellings (Ww 47 lid 1 e)")
    partners: list[Text] = Field(default_factory=list, max_length=50)


class MoneyForm(str, Enum):
    """The only forms in which a TI may give money (BTIV 48 lid 1)."""

    resident_activities = "resident_activities"  # 48 lid 1 a
    cooperative_maintenance_reserve = "cooperative_maintenance_reserve"  # 48 lid 1 b
    nhg_mortgage_interest = "nhg_mortgage_interest"  # 48 lid 1 c, lid 2
    other = "other"


class Service(Strict):
    kind: ServiceKind
    for_residents: bool = True
    for_daeb_dwellings: bool = Field(
        True, description="the residents served live in DAEB dwellings (Ww 47 lid 1 e)")
    money_form: MoneyForm | None = Field(None, description="for kind 'money': the BTIV 48 lid 1 form")


class SaleComplex(str, Enum):
    """BTIV 1: a complex with regulated and liberalised dwellings, by which kind predominates."""

    gemengd_gereguleerd = "gemengd_gereguleerd"
    gemengd_geliberaliseerd = "gemengd_geliberaliseerd"


class Sale(Strict):
    buyer: Buyer
    price: Euro = Field(description="total price for all units of the component")
    leegwaarde: Euro | None = Field(None, description="taxed vacant value (leegwaarde) or WOZ, total")
    market_value: Euro | None = None
    vacant: bool = False
    complex: SaleComplex | None = Field(
        None, description="the sale is (a part of) a gemengd gereguleerd or gemengd geliberaliseerd complex (BTIV 1)")
    vov_clauses: bool = Field(False, description="verkoop onder voorwaarden clauses (RTIV 10)")
    buyer_income: Euro | None = Field(None, description="household income of the buyer, per year")


class Verbinding(Strict):
    counterparty: Counterparty
    after_formation: bool = Field(True, description="loan or guarantee given after the verbinding was formed")
    amount: Euro | None = None


class Component(Extended):
    """One activity on one kind of object. Components of one investment share a project id."""

    ADDED = ("buyback_obligation", "acquired_from_ti")

    id: Id
    title: Text
    description: Text | None = None
    project: Id | None = Field(None, description="investment this component belongs to")
    activity: Activity
    object: ObjectKind
    units: Count | None = None
    floor_area_m2: Area | None = None
    cost: Euro | None = Field(None, description="investment cost of the component")
    financing: Financing | None = None
    location: Location
    land: Land | None = None
    dwelling: Dwelling | None = None
    mv: Mv | None = None
    bog: Bog | None = None
    parking: Parking | None = None
    leefbaarheid: Leefbaarheid | None = None
    service: Service | None = None
    sale: Sale | None = None
    verbinding: Verbinding | None = None
    buyback_obligation: bool | None = Field(
        None, description="acquired (or, on a sale, bought back before) because the corporation is bound by contract "
        "to the party it earlier sold the dwellings to (buy-back; BTIV 41 c until the market test ended in 2021, "
        "Ww 47 lid 1 j from 2022)")
    acquired_from_ti: bool | None = Field(
        None, description="acquired from another toegelaten instelling (BTIV 41 f, 2016-2021)")
    redevelop_within_5_years: bool | None = Field(
        None, description="acquired to demolish and rebuild, or convert, within five years (BTIV 49 lid 3, 52 lid 2)")
    committed_on: PastDate | None = Field(
        None, description="date of the written commitment (omgevingsvergunning application or contract), RTIV 5")
    public_space_share: Share | None = Field(
        None, description="share (by cost) of the work that lies in public space beyond the directly adjacent "
        "surroundings: the municipality's task (Ww 45 lid 2); used by the split stage")

    @model_validator(mode="after")
    def _blocks_match_object(self):
        needed = {
            "dwelling": "dwelling", "mv": "mv", "bog": "bog", "parking": "parking",
            "leefbaarheid": "leefbaarheid", "service": "service", "verbinding": "verbinding",
        }
        block = needed.get(self.object)
        if block and getattr(self, block) is None:
            raise invalid("case.needs_block", object=self.object, block=block)
        if self.activity == "sell" and self.sale is None:
            raise invalid("case.needs_sale")
        if self.activity in ("lend", "guarantee") and self.verbinding is None:
            raise invalid("case.needs_verbinding", activity=self.activity)
        return self


class Turnover(Strict):
    year: int = Field(ge=2000, le=2100)
    net_turnover: Euro
    non_daeb_share: Share


class Woningmarktregio(Strict):
    name: Text
    municipalities: list[GmCode] = Field(max_length=1000)


class Corporation(Strict):
    name: Text
    kvk: str | None = Field(None, pattern=r"^\d{8}$")
    aw_l_number: str | None = Field(None, pattern=r"^L\d{4}$")
    home_municipality: GmCode
    municipalities: list[GmCode] = Field(
        min_length=1, max_length=1000,
        description="municipalities where it may work (home + verklaringen van geen bezwaar)")
    woningmarktregio: Woningmarktregio | None = None
    categorical: bool = Field(False, description="categorale TI (students, care, urgent groups)")
    daeb_rental_homes: Count = Field(description="DAEB rental dwellings (Ww 47 lid 1 b), TI-wide")
    turnover: list[Turnover] = Field(default_factory=list, max_length=10)
    non_daeb_investment_share: Share | None = None
    separation_regime: SeparationRegime | None = None
    wants_verlicht_regime: bool = False
    leefbaarheid_other_annual: Euro = Field(0, description="leefbaarheid spend outside this plan, same year")
    statutes_require_rvt_for_maintenance: bool = False
    non_daeb_icr: Ratio | None = Field(
        None, description="interest coverage ratio (ICR) of the non-DAEB branch, e.g. 1.6 (RTIV 20 lid 2)")
    non_daeb_debt_woz_share: Ratio | None = Field(
        None, description="non-DAEB debt as a share of the WOZ value of the non-DAEB real estate (RTIV 20 lid 2)")
    allocation_free_room_local: Share | None = Field(
        None, description="free allocation room agreed in local (prestatie)afspraken, from 2022 (at most 0.15)")

    @model_validator(mode="after")
    def _home_in_municipalities(self):
        if self.home_municipality not in self.municipalities:
            raise invalid("case.home_municipality")
        return self


class PerformanceAgreement(Strict):
    id: Id
    municipality: GmCode
    year: int = Field(ge=2000, le=2100)
    parties: list[Text] = Field(default_factory=list, max_length=50)
    covers: list[Id] = Field(default_factory=list, max_length=MAX_COMPONENTS, description="component ids")


class LettingCategory(str, Enum):
    student = "student"
    status_holder = "status_holder"
    care_indication = "care_indication"


class Letting(Strict):
    date: CaseDate
    rent: Euro
    household_income: Euro
    household_size: int = Field(ge=1, le=30)
    aow_age: bool = False
    huurtoeslag_eligible: bool | None = None
    category: LettingCategory | None = None
    assets_above_limit: bool | None = Field(
        None, description="household assets (rendementsgrondslag) above the zorgtoeslag vermogensgrens (from 2022 an "
                          "AOW-age household with such assets may ask to be let above the aftoppingsgrens, BTIV 54a)")


class Source(Strict):
    title: Text
    url: Annotated[str, Field(max_length=500)] | None = None
    date: CaseDate | None = None


class SharedCostKind(str, Enum):
    land = "land"
    parking = "parking"
    site_preparation = "site_preparation"
    other = "other"


class SharedCost(Strict):
    kind: SharedCostKind
    title: Text | None = None
    amount: Euro


class Project(Strict):
    """Optional project-level data: costs shared by the components of one investment (land, parking,
    site preparation). The split stage allocates them pro rata to floor area."""

    id: Id
    title: Text | None = None
    shared_costs: list[SharedCost] = Field(default_factory=list, max_length=100)


class Case(Strict):
    case_id: Id
    title: Text
    date: CaseDate = Field(description="peildatum: the law in force on this date applies")
    description: Text | None = None
    illustrative: bool = Field(False, description="figures are invented for illustration")
    sources: list[Source] = Field(default_factory=list, max_length=100)
    corporation: Corporation
    performance_agreements: list[PerformanceAgreement] = Field(default_factory=list, max_length=1000)
    components: list[Component] = Field(min_length=1, max_length=MAX_COMPONENTS)
    projects: list[Project] = Field(default_factory=list, max_length=MAX_COMPONENTS,
                                    description="optional shared costs per project id")
    lettings: list[Letting] = Field(default_factory=list, max_length=MAX_LETTINGS)

    @model_validator(mode="after")
    def _unique_ids(self):
        seen: set[str] = set()
        for comp in self.components:
            if comp.id in seen:
                raise invalid("case.component_twice", id=repr(comp.id))
            seen.add(comp.id)
        for agreement in self.performance_agreements:
            unknown = [c for c in agreement.covers if c not in seen]
            if unknown:
                raise invalid("case.agreement_unknown", id=repr(agreement.id), unknown=", ".join(map(repr, unknown)))
        used = {c.project for c in self.components if c.project is not None}
        pids: set[str] = set()
        for project in self.projects:
            if project.id in pids:
                raise invalid("case.project_twice", id=repr(project.id))
            pids.add(project.id)
            if project.id not in used:
                raise invalid("case.project_unused", id=repr(project.id))
        return self

    def canonical(self) -> dict:
        """Normalised JSON-able form: defaults filled in (except fields added later and left unset, see
        Extended), euros as 2-decimal strings."""
        return self.model_dump(mode="json")

    def sha256(self) -> str:
        """sha256_of(self.canonical()), the case hash of provenance, worked out once per case object
        (judging one case again, in a warm process or a what-if run, dumps and hashes it once): a
        Case is frozen, its models refuse assignment, and nothing changes its lists in place."""
        key = id(self)
        kept = _SHA256.get(key)
        if kept is not None and kept[0]() is self:
            return kept[1]
        from .result import sha256_of

        digest = sha256_of(self.canonical())
        _SHA256[key] = (weakref.ref(self, lambda _, key=key: _SHA256.pop(key, None)), digest)
        return digest


# Case.sha256 by the identity of a live case; an entry leaves with its case (weak reference)
_SHA256: dict[int, tuple[weakref.ref, str]] = {}


def _duplicate_ids(data: dict, loaded: LoadedYaml) -> list[Problem]:
    """Component ids used twice, each reported at its own line (the model's check can only say 'line 1',
    and only once every other field is valid)."""
    seen: dict[str, int] = {}
    problems = []
    comps = data.get("components")
    for n, comp in enumerate(comps if isinstance(comps, list) else []):
        cid = comp.get("id") if isinstance(comp, dict) else None
        if not isinstance(cid, str):
            continue
        if cid in seen:
            first = loaded.line_of(("components", seen[cid], "id"))
            problems.append(Problem.of(loaded.filename, f"components.{n}.id", "case.component_twice_at",
                                       loaded.line_of(("components", n, "id")), id=repr(cid), first=first))
        else:
            seen[cid] = n
    return problems


def parse_case(data: Any, loaded: LoadedYaml) -> Case:
    if not isinstance(data, dict):
        raise InputError.of(loaded.filename, "", "case.not_mapping")
    duplicates = _duplicate_ids(data, loaded)
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        problems = pydantic_problems(exc, loaded, Case)
        if duplicates:  # reported at their own lines instead of the model's whole-file message
            problems = [p for p in problems if not p.says or p.says[0].key != "case.component_twice"] + duplicates
        raise InputError(sorted(problems, key=lambda p: (p.line or 0, p.path))) from None


def load_case(path: Path | str) -> Case:
    loaded = load_yaml_file(path)
    return parse_case(loaded.data, loaded)


def load_case_bytes(raw: bytes, filename: str) -> Case:
    """A case from the bytes of a case file (e.g. an upload); `filename` only names it in problems."""
    loaded = load_yaml_bytes(raw, filename)
    return parse_case(loaded.data, loaded)


def case_json_schema() -> dict:
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    from . import __version__

    schema["$id"] = f"urn:woningwet-engine:{__version__}:schema:case"  # project name and version
    return schema
