// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/**
 * @title CertificateCalendar
 * @notice When a certificate expires: the first instant of its production month (counted at a fixed
 * UTC offset) plus a whole number of months. China GEC: 24 months from the production month,
 * counted in China Standard Time (UTC+8, no daylight saving since 1991).
 *
 * Civil dates use Howard Hinnant's `days_from_civil`/`civil_from_days` algorithms (proleptic
 * Gregorian calendar, exact for every day), so the result is the same instant as a calendar
 * library's `datetime(year, month + validity, 1, tz=UTC+offset)`.
 */
library CertificateCalendar {
    int256 private constant _DAY_S = 86_400;

    /**
     * @notice UNIX second from which a certificate of the interval starting at `intervalStart` is expired.
     * @param intervalStart Interval start, UNIX seconds (UTC).
     * @param validityMonths Validity in whole months from the first instant of the production month.
     * @param utcOffsetS Offset of the production-month time zone from UTC, seconds (+28 800 for UTC+8).
     */
    function expiresAt(uint256 intervalStart, uint256 validityMonths, int256 utcOffsetS)
        internal
        pure
        returns (uint256)
    {
        // Interval starts are uint64 and offsets within ±14 h, so no step below can overflow an int256.
        unchecked {
            int256 localDay = _floorDiv(int256(intervalStart) + utcOffsetS, _DAY_S);
            (int256 year, int256 month) = _yearMonth(localDay);
            int256 months = year * 12 + month - 1 + int256(validityMonths);
            int256 expiryYear = _floorDiv(months, 12);
            int256 expiryMonth = months - expiryYear * 12 + 1;
            int256 expiry = _daysFromCivil(expiryYear, expiryMonth) * _DAY_S - utcOffsetS;
            return expiry < 0 ? 0 : uint256(expiry);
        }
    }

    function _floorDiv(int256 a, int256 b) private pure returns (int256) {
        unchecked {
            int256 q = a / b;
            return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
        }
    }

    /// @dev Year and month (1..12) of day `z` counted from 1970-01-01 (Hinnant's civil_from_days).
    function _yearMonth(int256 z) private pure returns (int256 year, int256 month) {
        unchecked {
            z += 719_468;
            int256 era = _floorDiv(z, 146_097);
            int256 doe = z - era * 146_097;
            int256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            int256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            int256 mp = (5 * doy + 2) / 153;
            month = mp < 10 ? mp + 3 : mp - 9;
            year = yoe + era * 400 + (month <= 2 ? int256(1) : int256(0));
        }
    }

    /// @dev Days from 1970-01-01 to the first day of `month` of `year` (Hinnant's days_from_civil).
    function _daysFromCivil(int256 year, int256 month) private pure returns (int256) {
        unchecked {
            year -= month <= 2 ? int256(1) : int256(0);
            int256 era = _floorDiv(year, 400);
            int256 yoe = year - era * 400;
            int256 doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5;
            int256 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return era * 146_097 + doe - 719_468;
        }
    }
}
