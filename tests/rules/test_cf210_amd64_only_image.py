from composefix.model import Severity, Target
from tests.helpers import lint, spans


def test_curated_image_fires_at_the_image_with_its_source():
    text = "services:\n  db:\n    image: mcr.microsoft.com/mssql/server:2022-latest\n"
    found = lint(text, select=("CF210",))
    assert spans(found) == [("CF210", 3, 12, 3, 54)]
    assert found[0].severity == Severity.INFO
    assert found[0].message == (
        "Service `db` uses `mcr.microsoft.com/mssql/server:2022-latest`, which is published for amd64 only "
        "(https://github.com/microsoft/mssql-docker/issues/802): on Macs with Apple silicon it runs under emulation, "
        "which Docker calls best effort"
    )


def test_platform_pin_fires_once_at_the_platform():
    text = "services:\n  a:\n    image: mcr.microsoft.com/mssql/server\n    platform: linux/amd64\n"
    found = lint(text, select=("CF210",))
    assert spans(found) == [("CF210", 4, 15, 4, 26)]
    assert found[0].message.startswith("Service `a` is pinned to `linux/amd64`")


def test_multi_arch_images_other_platforms_and_linux_are_silent():
    text = "services:\n  a:\n    image: postgres:16\n  b:\n    image: x\n    platform: linux/arm64\n"
    assert lint(text, select=("CF210",)) == []
    pinned = "services:\n  a:\n    image: x\n    platform: linux/amd64\n"
    assert lint(pinned, select=("CF210",), targets={Target.LINUX}) == []


def test_every_curated_entry_has_a_public_source():
    from composefix.data.amd64_only import AMD64_ONLY

    assert AMD64_ONLY
    assert all(source.startswith("https://") for source in AMD64_ONLY.values())
