"""Validators for the identifiers of Japanese public administration."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def local_government_check_digit(first_five: str) -> str:
    """Check digit of a 全国地方公共団体コード (JIS X 0402 with the MIC check digit).

    Weights 6,5,4,3,2 over the five digits; 11 minus the remainder mod 11, keeping the last digit.
    """
    total = sum(int(digit) * weight for digit, weight in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)


def validate_local_government_code(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 6 and value.isascii() and value.isdigit()):
        raise ValidationError(_("地方公共団体コードは6桁の数字です。"), code="format")
    if local_government_check_digit(value[:5]) != value[5]:
        raise ValidationError(
            _("地方公共団体コード %(code)s の検査数字が正しくありません。"),
            code="check_digit",
            params={"code": value},
        )


def corporate_number_check_digit(base_twelve: str) -> str:
    """Check digit of a 法人番号: 9 minus (sum of digits weighted 1,2,1,2… from the right) mod 9."""
    total = sum(int(digit) * (1 if i % 2 == 0 else 2) for i, digit in enumerate(reversed(base_twelve)))
    return str(9 - total % 9)


def validate_corporate_number(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 13 and value.isascii() and value.isdigit()):
        raise ValidationError(_("法人番号は13桁の数字です。"), code="format")
    if corporate_number_check_digit(value[1:]) != value[0]:
        raise ValidationError(
            _("法人番号 %(number)s の検査数字（先頭の1桁）が正しくありません。"),
            code="check_digit",
            params={"number": value},
        )


def validate_office_number(value: str) -> None:
    if not (isinstance(value, str) and len(value) == 10 and value.isascii() and value.isdigit()):
        raise ValidationError(_("事業所番号は10桁の数字です。"), code="format")
