"""Technology keys of injecting devices, from pandapower/SimBench ``type`` and ``profile`` columns.

The keys are attribution's :data:`greenproof.attribution.TECHNOLOGY_KEYS` (the one list, with
emission factors, in ``attribution/technologies.py``). A device whose type is not in
:data:`TYPE_TO_TECHNOLOGY` is an error unless the caller passes a default explicitly: nothing is
ever assumed renewable.

Sources of the type names:

- pandapower ``sgen.type`` conventions ("PV", "WP", "CHP", "Wind", "Biomass") and
  ``gen.type`` ("sync", "async") — pandapower documentation, *Static Generator* element.
- SimBench ``sgen.type`` ("PV", "Wind", "Hydro", "Biomass", "Residential", "mv_rural" ...)
  and profile names ("PV1".."PV8", "WP1".."WP10", "BM1".."BM5", "Hydro1".."Hydro3",
  "lv_rural1"...) — SimBench data set (Meinecke et al., Energies 2020, 13(12), 3290).
  SimBench ``mv_*``/``lv_*``/``hv_*`` sgen types are equivalents of whole subordinate grids whose
  generation mix is not given: they map to ``"other"``.
"""

from __future__ import annotations

import re

__all__ = ["TYPE_TO_TECHNOLOGY", "technology_of_type"]

#: Lower-cased device ``type`` (or profile name stripped of its trailing number) → technology key.
TYPE_TO_TECHNOLOGY: dict[str, str] = {
    # pandapower / common spellings
    "pv": "solar_pv", "solar": "solar_pv", "solar_pv": "solar_pv", "photovoltaic": "solar_pv",
    "wp": "wind_onshore", "wind": "wind_onshore", "wind_onshore": "wind_onshore", "onshore wind": "wind_onshore",
    "wind_offshore": "wind_offshore", "offshore wind": "wind_offshore", "wp_offshore": "wind_offshore",
    "hydro": "hydro", "run_of_river": "hydro", "biomass": "biomass", "bm": "biomass", "biogas": "biomass",
    "chp": "gas", "gas": "gas", "ccgt": "gas", "ocgt": "gas", "coal": "coal", "lignite": "coal",
    "hard_coal": "coal", "nuclear": "nuclear", "oil": "oil", "storage": "storage", "battery": "storage",
    "grid_import": "grid_import", "other": "other",
    # SimBench aggregated subordinate-grid equivalents: generation mix not published
    "residential": "other", "mv_add": "other", "mv_comm": "other", "mv_rural": "other",
    "mv_semiurb": "other", "mv_urban": "other", "lv_rural": "other", "lv_semiurb": "other",
    "lv_urban": "other", "hv_mixed": "other", "hv_urban": "other",
}

_TRAILING_NUMBER = re.compile(r"\d+$")


def technology_of_type(type_name: object) -> str | None:
    """Technology key for a device ``type`` or SimBench profile name, or ``None`` when unknown.

    Parameters
    ----------
    type_name
        Value of the element's ``type`` (or ``profile``) column; ``None``/NaN/non-strings are unknown.
        Matching is case-insensitive; a trailing profile number ("WP4", "mv_rural1") is ignored.

    Returns
    -------
    str or None
        A technology key (:data:`greenproof.attribution.TECHNOLOGY_KEYS`), or ``None`` when the
        name is not in :data:`TYPE_TO_TECHNOLOGY`.
    """
    if not isinstance(type_name, str) or not type_name.strip():
        return None
    key = type_name.strip().lower()
    if key in TYPE_TO_TECHNOLOGY:
        return TYPE_TO_TECHNOLOGY[key]
    return TYPE_TO_TECHNOLOGY.get(_TRAILING_NUMBER.sub("", key))
