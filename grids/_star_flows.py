"""Star-side flows of three-winding transformers: the transformer's loss is carried by its sending windings.

pandapower models a three-winding transformer as three two-winding branches meeting at an
internal star point and publishes only the outer ends (``res_trafo3w``). The split of the loss
between the three star-equivalent windings is a modelling artefact: nameplate short-circuit data
can give a winding a negative resistance (``example_multivoltage``: the lv winding has
r = -6.98e-5 p.u. while the transformer as a whole loses +5.7 kW), which would make that winding
deliver more than it receives. Attribution only needs what enters and leaves the transformer, so
the star-side flow of every winding is set from the outer ends:

- a receiving winding (power leaves the transformer at its outer bus) is lossless: its star side
  carries exactly what its outer bus receives;
- the transformer's whole loss (sum of the three outer-end flows) is shared by its sending windings
  in proportion to what each takes in;
- without a sending winding (the transformer only delivers), the loss is shared by all windings
  in proportion to their outer-end flows (every star side is then 0 MW: each delivered end is a
  branch gain for attribution).

The star bus balances exactly, and the three winding losses sum to the transformer's loss.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["star_side_flows"]


def star_side_flows(branch_table: NDArray[np.str_], branch_index: NDArray[np.int64], branch_side: NDArray[np.str_],
                    p_from_mw: NDArray[np.float64], p_to_mw: NDArray[np.float64]
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return ``(p_from_mw, p_to_mw)`` with the star ends of trafo3w windings set as the module docstring says.

    Parameters
    ----------
    branch_table, branch_index, branch_side : (n_br,)
        Layout columns of the branches; windings are ``"trafo3w"`` rows with side ``"hv"`` (hv bus →
        star) or ``"mv"``/``"lv"`` (star → outer bus).
    p_from_mw, p_to_mw : (n_br,) float64
        Power entering each branch at its from/to end, MW; only the outer ends of windings are read.

    Returns
    -------
    (n_br,) float64, (n_br,) float64
        Copies with the star ends of the windings replaced.
    """
    rows = np.flatnonzero(branch_table == "trafo3w")
    if not rows.size:
        return p_from_mw, p_to_mw
    hv = branch_side[rows] == "hv"
    outer = np.where(hv, p_from_mw[rows], p_to_mw[rows])  # power entering the transformer at its outer bus
    group = np.unique(branch_index[rows], return_inverse=True)[1]
    loss = np.bincount(group, weights=outer)
    sending = np.maximum(outer, 0.0)
    weight = np.where(np.bincount(group, weights=sending)[group] > 0, sending, np.abs(outer))
    total = np.bincount(group, weights=weight)[group]
    share = np.divide(weight, total, out=np.zeros_like(weight), where=total > 0)
    star = loss[group] * share - outer  # power entering each winding at the star point
    p_from, p_to = p_from_mw.copy(), p_to_mw.copy()
    p_to[rows[hv]] = star[hv]
    p_from[rows[~hv]] = star[~hv]
    return p_from, p_to
