"""The typed model of a citizen data set (pydantic v2, frozen, unknown fields rejected).

The package holds [`CitizenDataset`][cdinterop.model.CitizenDataset] and its parts: the
[`DataStructure`][cdinterop.model.DataStructure] (dimensions, attributes, measures, codelists,
concepts), the observation table ([`Observations`][cdinterop.model.Observations], on Apache
Arrow), participation and consent, quality and disclosure control, provenance, distributions
and catalogues, and the SDMX time periods and area codes they use. No exchange formats live
here; [`cdinterop.load`][cdinterop.load] and [`cdinterop.save`][cdinterop.save] read and write
the model itself as JSON::

    import cdinterop
    from cdinterop.model import parse_period
    ds = cdinterop.load("examples/public-services-satisfaction/dataset.json")
    ds.structure.key_ids                     # ('FREQ', 'REF_AREA', ..., 'TIME_PERIOD')
    ds.structure.component("SEX").codelist   # 'CL_SEX'
    first = ds.replace(observations=ds.observations.to_records()[:10])  # a validated copy
    parse_period("2024-Q3").start            # 2024-07-01 00:00 UTC
"""

from cdinterop.model._areas import M49_REGIONS, AreaExtent, AreaScheme, area_scheme, is_area_code
from cdinterop.model._base import (
    Model,
    text_in,
)
from cdinterop.model._catalog import Catalog
from cdinterop.model._constraints import (
    ComponentValues,
    ConstraintPeriod,
    ContentConstraint,
    CubeRegion,
    DataKey,
    DataKeySet,
    ReleaseCalendar,
    TimeRange,
)
from cdinterop.model._dataset import (
    AccessRights,
    CitizenDataset,
    ContactPoint,
    DateRange,
    Frequency,
    ReferencePeriod,
    Theme,
    ThemeScheme,
)
from cdinterop.model._distribution import Availability, Distribution
from cdinterop.model._identity import Annotation, ParsedRef, format_ref, parse_ref
from cdinterop.model._observations import Observation, Observations
from cdinterop.model._participation import (
    Consent,
    ConsentBasis,
    ConsentMethod,
    EngagementLevel,
    InitiatorType,
    Participation,
    PermittedUse,
    Population,
    ValueChainStage,
    Withdrawal,
)
from cdinterop.model._periods import Period, PeriodKind, TimeValueType, parse_period
from cdinterop.model._provenance import (
    Activity,
    ActivityType,
    Agent,
    AgentKind,
    Attribution,
    Checksum,
    ChecksumAlgorithm,
    OrganisationType,
    Provenance,
    Role,
    Source,
)
from cdinterop.model._quality import (
    DimensionScore,
    DisclosureControl,
    DisclosureMethod,
    EthicsCheck,
    Quality,
    QualityAssessment,
    QualityDimension,
    QualityMeasurement,
    QualityVerdict,
)
from cdinterop.model._structure import (
    AttachmentLevel,
    Attribute,
    Code,
    Codelist,
    Component,
    Concept,
    ConceptScheme,
    DataStructure,
    Dimension,
    Facets,
    Group,
    Measure,
    RepresentedComponent,
    TimeDimension,
    Usage,
    ValueType,
)

__all__ = [
    "M49_REGIONS",
    "AccessRights",
    "Activity",
    "ActivityType",
    "Agent",
    "AgentKind",
    "Annotation",
    "AreaExtent",
    "AreaScheme",
    "AttachmentLevel",
    "Attribute",
    "Attribution",
    "Availability",
    "Catalog",
    "Checksum",
    "ChecksumAlgorithm",
    "CitizenDataset",
    "Code",
    "Codelist",
    "Component",
    "ComponentValues",
    "Concept",
    "ConceptScheme",
    "Consent",
    "ConsentBasis",
    "ConsentMethod",
    "ConstraintPeriod",
    "ContactPoint",
    "ContentConstraint",
    "CubeRegion",
    "DataKey",
    "DataKeySet",
    "DataStructure",
    "DateRange",
    "Dimension",
    "DimensionScore",
    "DisclosureControl",
    "DisclosureMethod",
    "Distribution",
    "EngagementLevel",
    "EthicsCheck",
    "Facets",
    "Frequency",
    "Group",
    "InitiatorType",
    "Measure",
    "Model",
    "Observation",
    "Observations",
    "OrganisationType",
    "ParsedRef",
    "Participation",
    "Period",
    "PeriodKind",
    "PermittedUse",
    "Population",
    "Provenance",
    "Quality",
    "QualityAssessment",
    "QualityDimension",
    "QualityMeasurement",
    "QualityVerdict",
    "ReferencePeriod",
    "ReleaseCalendar",
    "RepresentedComponent",
    "Role",
    "Source",
    "Theme",
    "ThemeScheme",
    "TimeDimension",
    "TimeRange",
    "TimeValueType",
    "Usage",
    "ValueChainStage",
    "ValueType",
    "Withdrawal",
    "area_scheme",
    "format_ref",
    "is_area_code",
    "parse_period",
    "parse_ref",
    "text_in",
]
