"""The park's operations, shared by the three doors (HTTP API, dashboard, CLI) and importing none of them.

Setting up and simulating the Binhai park (:mod:`.park_setup`, :mod:`.park_simulation`),
attribution runs and their stored results (:mod:`.park_attribution`, :mod:`.park_runs`,
:mod:`.attribution_results`, :mod:`.technology_flows`, :mod:`.park_intensity`), firm reports
(:mod:`.firm_reports`), certificate queries and claims (:mod:`.certificate_queries`,
:mod:`.certificate_claims`, :mod:`.evidence`), provenance records issued, verified and rendered
(:mod:`.provenance`, :mod:`.provenance_verify`, :mod:`.provenance_render`), retirement statements
(:mod:`.retirement_statement`), custodial accounts and the chain (:mod:`.custody`,
:mod:`.chain_gateway`), meter uploads (:mod:`.meter_upload`), and what they all share: the
running application's context (:mod:`.app_state`), its settings, API keys, errors, periods,
units and the shapes they return (:mod:`.schemas`).
"""
