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

The scalar types the models are made of (``SdmxId``, ``AgencyId``, ``LanguageTag``,
``MultilingualText``, ``SpdxLicenceId``, ``AreaCode``, ``TimePeriod``, the SDMX references
...) are public, for models of a tool's own. A subclass of a model keeps its class through
``replace()``, ``cdinterop.load(path, cls=...)`` and ``cdinterop.save``; the exchange
formats, which have no place for the fields it adds, refuse it
([`refuse_added_fields()`][cdinterop.model.refuse_added_fields]) unless those are left out
on purpose with ``without_added_fields()``.
"""

from cdinterop.model._areas import (
    M49_REGIONS,
    AreaCode,
    AreaExtent,
    AreaScheme,
    area_scheme,
    is_area_code,
)
from cdinterop.model._base import (
    AddedFields,
    AgencyId,
    LanguageTag,
    LocalId,
    Model,
    MultilingualText,
    NCNameId,
    SdmxId,
    SpdxLicenceId,
    VersionString,
    added_fields,
    refuse_added_fields,
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
from cdinterop.model._identity import (
    Annotation,
    ArtefactRef,
    ConceptRef,
    ConceptRoleRef,
    MaintainableRef,
    ParsedRef,
    format_ref,
    parse_ref,
)
from cdinterop.model._metrics import METRICS, MetricDefinition, QualityMetric
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
from cdinterop.model._periods import Period, PeriodKind, TimePeriod, TimeValueType, parse_period
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
    DisclosureAudit,
    DisclosureControl,
    DisclosureMethod,
    DisclosureRule,
    EthicsCheck,
    ProtectionLevels,
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
    "METRICS",
    "AccessRights",
    "Activity",
    "ActivityType",
    "AddedFields",
    "AgencyId",
    "Agent",
    "AgentKind",
    "Annotation",
    "AreaCode",
    "AreaExtent",
    "AreaScheme",
    "ArtefactRef",
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
    "ConceptRef",
    "ConceptRoleRef",
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
    "DisclosureAudit",
    "DisclosureControl",
    "DisclosureMethod",
    "DisclosureRule",
    "Distribution",
    "EngagementLevel",
    "EthicsCheck",
    "Facets",
    "Frequency",
    "Group",
    "InitiatorType",
    "LanguageTag",
    "LocalId",
    "MaintainableRef",
    "Measure",
    "MetricDefinition",
    "Model",
    "MultilingualText",
    "NCNameId",
    "Observation",
    "Observations",
    "OrganisationType",
    "ParsedRef",
    "Participation",
    "Period",
    "PeriodKind",
    "PermittedUse",
    "Population",
    "ProtectionLevels",
    "Provenance",
    "Quality",
    "QualityAssessment",
    "QualityDimension",
    "QualityMeasurement",
    "QualityMetric",
    "QualityVerdict",
    "ReferencePeriod",
    "ReleaseCalendar",
    "RepresentedComponent",
    "Role",
    "SdmxId",
    "Source",
    "SpdxLicenceId",
    "Theme",
    "ThemeScheme",
    "TimeDimension",
    "TimePeriod",
    "TimeRange",
    "TimeValueType",
    "Usage",
    "ValueChainStage",
    "ValueType",
    "VersionString",
    "Withdrawal",
    "added_fields",
    "area_scheme",
    "format_ref",
    "is_area_code",
    "parse_period",
    "parse_ref",
    "refuse_added_fields",
    "text_in",
]
