"""The exporter's retirement form: its fields read into the API's request, and its failures told in the user's words.

A refused retirement shows the form again with what was typed and one message in the page's
language: the field at fault (by its label) for input errors, and for a shortfall the MWh needed
and available and the consumption period in park time (UTC+8), never raw Wh or UTC seconds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal

from pydantic import TypeAdapter, ValidationError

from greenproof.attribution.errors import GreenproofError
from greenproof.ledger.errors import InsufficientCertificatesError

from ..http.schemas import RetirementCreate
from ..usecases.attribution_results import PARK_TZ
from ..usecases.errors import ChainUnavailableError, ShipmentAlreadyRetiredError
from ..usecases.periods import Period, SupportedDay
from ..usecases.schemas import ShipmentCreate
from ..usecases.units import WH_PER_MWH, mwh
from .i18n import Translator
from .render import park_time

__all__ = ["FormRefusal", "RetirementForm", "refusal_of"]

_DAY = TypeAdapter(SupportedDay)
#: Form field → the request field it fills (for naming the field at fault).
_FIELDS = {"shipment_id": "shipment_id", "product": "product", "quantity": "quantity", "quantity_unit": "unit",
           "destination": "destination", "embedded_electricity_mwh": "embedded", "embedded_mwh": "embedded",
           "consumption_start": "from", "start": "from", "consumption_end": "to", "end": "to",
           "beneficiary": "beneficiary", "purpose": "purpose"}


class FormRefusal(Exception):
    """The form cannot be sent as typed: ``field`` (a form field) and the pydantic error ``kind`` and text."""

    def __init__(self, field: str, kind: str, text: str) -> None:
        super().__init__(f"{field}: {text}")
        self.field, self.kind, self.text = field, kind, text


@dataclass(frozen=True)
class RetirementForm:
    """The retirement form as typed (text, as the browser sent it)."""

    shipment_id: str = ""
    product: str = ""
    quantity: str = ""
    quantity_unit: str = "t"
    destination: str = ""
    embedded_mwh: str = ""
    start: str = ""
    end: str = ""
    beneficiary: str = ""
    purpose: str = ""

    def values(self) -> dict[str, str]:
        """Return the typed values by field name (to fill the form again)."""
        return asdict(self)

    def _day(self, field: str) -> date:
        try:
            return _DAY.validate_python(getattr(self, field))
        except ValidationError as exc:
            error = exc.errors()[0]
            raise FormRefusal(field, error["type"], error["msg"]) from exc

    def _number(self, field: str) -> float:
        try:
            return float(getattr(self, field))
        except ValueError as exc:
            raise FormRefusal(field, "float_parsing", f"{getattr(self, field)!r} is not a number") from exc

    def period(self) -> Period:
        """Return the consumption period: whole park days ``start .. end`` (UTC+8), as UTC instants."""
        first, last = self._day("start"), self._day("end")
        if last < first:
            raise FormRefusal("end", "period_reversed", f"{last} is before {first}")
        return Period(datetime.combine(first, time(), PARK_TZ), datetime.combine(last + timedelta(days=1), time(),
                                                                                   PARK_TZ))

    def request(self) -> RetirementCreate:
        """Return the API's retirement request for this form.

        Raises
        ------
        FormRefusal
            Naming the first field at fault.
        """
        period = self.period()
        try:
            return RetirementCreate(
                shipment=ShipmentCreate(shipment_id=self.shipment_id, product=self.product,
                                        quantity=self._number("quantity"), quantity_unit=self.quantity_unit,
                                        destination=self.destination,
                                        embedded_electricity_mwh=self._number("embedded_mwh")),
                consumption_start=period.start, consumption_end=period.end, beneficiary=self.beneficiary or None,
                **({"purpose": self.purpose} if self.purpose else {}))
        except ValidationError as exc:
            error = exc.errors()[0]
            raise FormRefusal(str(error["loc"][-1]), error["type"], error["msg"]) from exc

    def needed_wh(self) -> int:
        """Return the Wh the shipment's embedded electricity needs (MWh rounded up to whole Wh)."""
        return int((Decimal(self.embedded_mwh.strip()) * WH_PER_MWH).to_integral_value(rounding=ROUND_CEILING))


_REASONS = {"missing": "missing", "string_too_short": "missing", "string_too_long": "too_long",
            "greater_than": "positive", "less_than_equal": "too_large", "float_parsing": "number",
            "period_reversed": "reversed"}


def refusal_of(error: Exception, form: RetirementForm, t: Translator, available_wh: int | None = None) -> str:
    """Return the message, in ``t``'s language, of a refused retirement.

    Parameters
    ----------
    error : Exception
        A :class:`FormRefusal` or the domain error the retirement raised.
    available_wh : int, optional
        Active Wh of the consumption period (for a shortfall).
    """
    if isinstance(error, FormRefusal):
        label = t(f"retire.{_FIELDS.get(error.field, error.field)}")
        reason = _REASONS.get(error.kind)
        if reason is None and "refused in text" in error.text:
            reason = "character"
        if reason is None and "outside the supported range" in error.text:
            reason = "range"
        detail = t(f"retire.reason.{reason}") if reason else error.text
        return t("retire.error.field", field=label, reason=detail)
    if isinstance(error, InsufficientCertificatesError) and available_wh is not None:
        period = form.period()
        return t("retire.error.insufficient", needed=f"{mwh(form.needed_wh()):,.3f}",
                 available=f"{mwh(available_wh):,.3f}", start=park_time(period.start), end=park_time(period.end))
    if isinstance(error, ShipmentAlreadyRetiredError):
        return t("retire.error.shipment", shipment=form.shipment_id)
    if isinstance(error, ChainUnavailableError):
        return t("retire.error.chain")
    return t("retire.error.other", detail=str(error) if isinstance(error, GreenproofError) else "")
