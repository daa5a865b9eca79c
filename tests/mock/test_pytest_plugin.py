"""The pytest plugin's fixtures and marker, run as a service's test suite would run them.

Each test writes a small test module and runs it with pytest in a subprocess (pytester),
so the plugin is loaded through its entry point exactly as in a user's project.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

# Fails the inner test if anything sleeps for real: the fixture clients must not.
NO_REAL_SLEEP = """
import time
import pytest

@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch):
    def refuse(seconds):
        raise AssertionError(f"slept {seconds}s for real")
    monkeypatch.setattr(time, "sleep", refuse)
"""


# The inner runs need only our plugin (and xdist/asyncio/anyio where a test says so):
# skipping the heavy plugins of this dev venv saves seconds of start-up per run.
LEAN = ("-p", "no:cacheprovider", "-p", "no:schemathesis", "-p", "no:hypothesispytest")
LEAN += ("-p", "no:respx")


def run(
    pytester: pytest.Pytester, source: str, *args: str, no_sleep: bool = True
) -> pytest.RunResult:
    if no_sleep:
        pytester.makeconftest(NO_REAL_SLEEP)
    pytester.makepyfile(source)
    return pytester.runpytest_subprocess(*LEAN, *args)


def test_tajo_brevo_provisions_and_upserts_against_the_fixture_mock(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import pytest
        from tajo_brevo import LoyaltyProfile, TajoBrevo, Tier

        seen = {}

        def test_upsert(tajo_brevo, brevo_mock):
            seen["client"] = tajo_brevo
            assert isinstance(tajo_brevo, TajoBrevo)
            program = tajo_brevo.provision("Shop")
            result = tajo_brevo.upsert_customer(
                LoyaltyProfile(email="ada@example.com", loyalty_id="L1", loyalty_points=1700)
            )
            assert result.created and result.tier is Tier.GOLD
            assert brevo_mock.emails_in_list("Shop - Gold") == {"ada@example.com"}
            assert brevo_mock.contact("ADA@example.com").lists == {
                "Shop - All customers", "Shop - Gold"
            }
            assert brevo_mock.contact_attributes("ada@example.com")["LOYALTY_POINTS"] == 1700
            posts = brevo_mock.calls("POST", "/contacts")
            assert len(posts) == 1 and posts[0].body["email"] == "ada@example.com"
            assert posts[0].status == 201
            assert tajo_brevo.stats.waited == 0

        def test_next_test_gets_a_fresh_mock(brevo_mock, tajo_brevo):
            assert brevo_mock.contacts() == [] and brevo_mock.list_names() == set()

        def test_the_client_was_closed_after_its_test():
            with pytest.raises(RuntimeError, match="closed"):
                list(seen["client"].iter_lists())
        """,
    )
    result.assert_outcomes(passed=3)


def test_the_marker_starts_provisioned_and_seeded_without_recording_the_seeding(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import pytest
        from tajo_brevo import LoyaltyProfile

        GOLD = LoyaltyProfile(email="gold@example.com", loyalty_id="G", loyalty_points=2000)

        @pytest.mark.brevo(
            program="Shop",
            contacts=[
                "plain@example.com",
                {"email": "raw@example.com", "attributes": {"FIRSTNAME": "Raw"}},
                GOLD,
            ],
        )
        def test_seeded(brevo_mock, brevo_program, tajo_brevo):
            assert brevo_mock.calls() == []
            assert brevo_mock.has_contact("plain@example.com")
            assert brevo_mock.contact_attributes("raw@example.com")["FIRSTNAME"] == "Raw"
            assert brevo_mock.emails_in_list(brevo_program.all_customers_list_id) == {
                "gold@example.com"
            }
            again = tajo_brevo.provision("Shop")
            assert not again.changed
            assert again.all_customers_list_id == brevo_program.all_customers_list_id
            assert {c.method for c in brevo_mock.calls()} == {"GET"}

        def test_brevo_program_needs_the_marker(brevo_program):
            pass
        """,
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*brevo_program fixture needs @pytest.mark.brevo(program=*"])


def test_marker_faults_are_retried_without_real_sleeps(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest
        from tajo_brevo import LoyaltyProfile, ServerError

        ADA = LoyaltyProfile(email="ada@example.com", loyalty_id="L1", loyalty_points=5)

        @pytest.mark.brevo(program="Shop", faults=["createContact:status=503"])
        def test_always_failing(tajo_brevo, brevo_mock):
            tajo_brevo.provision("Shop")
            with pytest.raises(ServerError):
                tajo_brevo.upsert_customer(ADA)
            statuses = [c.status for c in brevo_mock.calls(operation="createContact")]
            assert statuses == [503, 503, 503, 503]
            assert not brevo_mock.has_contact("ada@example.com")
            assert tajo_brevo.stats.retries == 3 and tajo_brevo.stats.waited > 0

        @pytest.mark.brevo(program="Shop", faults="createContact:status=503@0.5", seed=3)
        def test_sometimes_failing(tajo_brevo, brevo_mock):
            tajo_brevo.provision("Shop")
            for i in range(6):
                tajo_brevo.upsert_customer(
                    LoyaltyProfile(email=f"c{i}@example.com", loyalty_id=f"L{i}", loyalty_points=1)
                )
            assert len(brevo_mock.emails_in_list("Shop - All customers")) == 6
            assert 503 in {c.status for c in brevo_mock.calls(operation="createContact")}

        def test_faults_can_be_switched_mid_test(tajo_brevo, brevo_mock):
            tajo_brevo.provision("Shop")
            brevo_mock.set_faults(["status=500"])
            with pytest.raises(ServerError):
                tajo_brevo.get_customer("nobody@example.com")
            brevo_mock.set_faults([])
            assert brevo_mock.faults == ()
        """,
    )
    result.assert_outcomes(passed=3)


def test_marker_rate_limit_paces_the_client_on_a_shared_clock(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest

        @pytest.mark.brevo(rate_limit=5)
        def test_paced(tajo_brevo, brevo_mock):
            assert brevo_mock.rate_limit == 5
            tajo_brevo.provision("Shop")
            sent = brevo_mock.calls()
            assert len(sent) > 20
            assert all(c.status != 429 for c in sent)
            # At most 5 per second: N requests span at least N // 5 - 1 whole seconds, all
            # of them waited on the shared clock (the test itself did not sleep).
            assert tajo_brevo.stats.waited >= len(sent) // 5 - 1

        @pytest.mark.brevo(rate_limit="general")
        def test_tier_name(brevo_mock):
            assert brevo_mock.rate_limit == 10

        def test_switched_on_mid_test_is_followed_through_the_headers(tajo_brevo, brevo_mock):
            brevo_mock.set_rate_limit(3)
            for _ in range(10):
                list(tajo_brevo.iter_lists())
            assert tajo_brevo.stats.requests == 10
            assert all(c.status == 200 for c in brevo_mock.calls())
        """,
    )
    result.assert_outcomes(passed=3)


def test_bad_marker_options_fail_the_test_with_a_clear_message(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import pytest
        from tajo_brevo import LoyaltyProfile

        @pytest.mark.brevo(progam="Shop")
        def test_typo(brevo_mock):
            pass

        @pytest.mark.brevo(faults=["explode"])
        def test_bad_fault(brevo_mock):
            pass

        @pytest.mark.brevo(faults=["createContacts:drop"])
        def test_unknown_operation(brevo_mock):
            pass

        @pytest.mark.brevo(rate_limit="platinum")
        def test_bad_tier(brevo_mock):
            pass

        @pytest.mark.brevo(contacts=[{"email": "not-an-email"}])
        def test_bad_contact(brevo_mock):
            pass

        @pytest.mark.brevo(contacts=[LoyaltyProfile(email="a@example.com", loyalty_id="A")])
        def test_profile_without_program(brevo_mock):
            pass
        """,
    )
    result.assert_outcomes(errors=6)
    result.stdout.fnmatch_lines_random(
        [
            "*unknown option(s) ?'progam'?; known:*",
            "*fault 'explode'*",
            "*test_unknown_operation: fault operation 'createContacts' is not an operationId*",
            "*rate_limit 'platinum'*",
            "*the mock refused contact {'email': 'not-an-email'}: 400*",
            "*a LoyaltyProfile contact needs program=...*",
        ]
    )


def test_brevo_env_points_unchanged_code_at_a_loopback_mock_and_restores(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import os
        import httpx
        import pytest
        from tajo_brevo import LoyaltyProfile, TajoBrevo

        seen = {}

        def service_signup(email):
            # The service's own code: configuration from the environment only.
            with TajoBrevo() as brevo:
                # BREVO_RATE_LIMIT=auto: no pacing to production's 10 requests/s.
                seen["repr"] = repr(brevo)
                brevo.provision("Shop")
                brevo.upsert_customer(
                    LoyaltyProfile(email=email, loyalty_id="L1", loyalty_points=10)
                )

        @pytest.fixture(autouse=True)
        def outer_env(monkeypatch):
            monkeypatch.setenv("BREVO_API_KEY", "the-real-key")
            monkeypatch.delenv("BREVO_BASE_URL", raising=False)
            monkeypatch.delenv("BREVO_RATE_LIMIT", raising=False)

        def test_service_talks_to_the_mock(brevo_env, brevo_mock):
            assert brevo_env.base_url.startswith("http://127.0.0.1:")
            assert os.environ["BREVO_BASE_URL"] == brevo_env.base_url
            assert os.environ["BREVO_RATE_LIMIT"] == "auto"
            assert "the-real-key" not in repr(brevo_env)
            service_signup("ada@example.com")
            assert "rate_limit=auto" in seen["repr"]
            assert brevo_env.mock is brevo_mock
            assert brevo_mock.emails_in_list("Shop - All customers") == {"ada@example.com"}
            seen["url"] = brevo_env.base_url

        def test_then_restored_and_stopped():
            assert os.environ["BREVO_API_KEY"] == "the-real-key"
            assert "BREVO_BASE_URL" not in os.environ
            assert "BREVO_RATE_LIMIT" not in os.environ
            with pytest.raises(httpx.ConnectError):
                httpx.get(seen["url"] + "/contacts/lists", timeout=2)
        """,
        # The server's start-up and the service's own client wait for real.
        no_sleep=False,
    )
    result.assert_outcomes(passed=2)


ASYNC_TEST = """
import pytest
from tajo_brevo import AsyncTajoBrevo, LoyaltyProfile

seen = {{}}

@pytest.mark.{mark}
@pytest.mark.brevo(program="Shop", rate_limit=4)
async def test_async_client(async_tajo_brevo, brevo_mock, brevo_program):
    seen["client"] = async_tajo_brevo
    assert isinstance(async_tajo_brevo, AsyncTajoBrevo)
    await async_tajo_brevo.provision("Shop")
    result = await async_tajo_brevo.upsert_customer(
        LoyaltyProfile(email="ada@example.com", loyalty_id="L1", loyalty_points=1)
    )
    assert result.created
    assert brevo_mock.emails_in_list(brevo_program.all_customers_list_id) == {{"ada@example.com"}}
    assert all(c.status != 429 for c in brevo_mock.calls())
    assert async_tajo_brevo.stats.waited > 0

@pytest.mark.{mark}
async def test_sync_client_inside_an_async_test(tajo_brevo, brevo_mock):
    tajo_brevo.provision("Shop")
    assert "Shop - Gold" in brevo_mock.list_names()

@pytest.mark.{mark}
async def test_the_async_client_was_closed_after_its_test():
    with pytest.raises(RuntimeError, match="closed"):
        await seen["client"].provision("Shop")
"""


def test_async_client_under_anyio(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        NO_REAL_SLEEP
        + """
@pytest.fixture
def anyio_backend():
    return "asyncio"
"""
    )
    pytester.makepyfile(ASYNC_TEST.format(mark="anyio"))
    result = pytester.runpytest_subprocess(*LEAN, "-p", "no:asyncio")
    result.assert_outcomes(passed=3)


def test_async_client_under_pytest_asyncio(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_asyncio")
    pytester.makeconftest(NO_REAL_SLEEP)
    pytester.makepyfile(ASYNC_TEST.format(mark="asyncio"))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest_subprocess(*LEAN)
    result.assert_outcomes(passed=3)


def test_fixtures_under_xdist_one_mock_and_port_per_test(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    pytester.makepyfile(
        """
        import pytest
        from tajo_brevo import TajoBrevo

        @pytest.mark.parametrize("n", range(8))
        def test_each_has_its_own(n, brevo_env, tajo_brevo, brevo_mock):
            tajo_brevo.provision(f"P{n}")
            assert brevo_mock.list_names() == {
                f"P{n} - {t}" for t in ("All customers", "Bronze", "Silver", "Gold", "Platinum")
            }
            with TajoBrevo(rate_limit=1000) as from_env:
                names = {info.name for info in from_env.iter_lists()}
            assert names == brevo_mock.list_names()
        """
    )
    result = pytester.runpytest_subprocess(*LEAN, "-n", "2")
    result.assert_outcomes(passed=8)
    result.stdout.fnmatch_lines(["*2 workers*"])


def test_pytest_start_up_loads_the_plugin_but_not_the_mock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_nothing_heavy_is_loaded(request):
            assert request.config.pluginmanager.has_plugin("tajo_brevo_mock")
            heavy = {"starlette", "uvicorn", "openapi_core", "tajo_brevo.mock"}
            assert not heavy & set(sys.modules)
        """
    )
    result = pytester.runpytest_subprocess(*LEAN, "--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.brevo(program=None, contacts=(), *"])
    result = pytester.runpytest_subprocess(*LEAN)
    result.assert_outcomes(passed=1)


def test_marker_accounts_serve_one_account_per_key(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import pytest
        from tajo_brevo import LoyaltyProfile

        @pytest.mark.brevo(program="Shop", accounts=["merchant-a", "merchant-b"], rate_limit=1)
        def test_two_merchants(brevo_mock, tajo_brevo):
            assert brevo_mock.api_key == "merchant-a"
            tajo_brevo.provision("Shop")  # already provisioned by the marker: reads only
            tajo_brevo.upsert_customer(
                LoyaltyProfile(email="ada@example.com", loyalty_id="L1", loyalty_points=1)
            )
            other = brevo_mock.account("merchant-b")
            assert other.contacts() == [] and other.list_names() == set()
            assert [c.email for c in brevo_mock.account("merchant-a").contacts()] == [
                "ada@example.com"
            ]
            assert [a.rate_limit for a in brevo_mock.accounts] == [1, 1]

        @pytest.mark.brevo(accounts=["same", "same"])
        def test_duplicate(brevo_mock):
            pass
        """,
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*accounts must be distinct keys*"])
