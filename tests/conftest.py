from pathlib import Path

import pytest

from tests import factories

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data():
    if not SHARED_DATA.is_dir():
        pytest.fail(f"reference data not found at {SHARED_DATA}: check out shared/ beside the repository")
    return SHARED_DATA


@pytest.fixture
def resource_factory(db):
    return factories.ResourceFactory


@pytest.fixture
def organization_factory(db):
    return factories.OrganizationFactory


@pytest.fixture
def municipality_factory(db):
    return factories.MunicipalityFactory
