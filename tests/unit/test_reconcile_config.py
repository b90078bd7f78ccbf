"""`reconcile` in cloudblame.toml: true, false, or a table with its own credentials and types."""

from __future__ import annotations

import pytest

from cloudblame.pipeline.sync import ConfigError, ReconcileSpec, load_config, load_reconcile

SOURCE = '\n[[path]]\npath = "trail"\n'


@pytest.mark.parametrize(("text", "expected"), [
    ("", None),
    ("reconcile = false\n", None),
    ("reconcile = true\n", ReconcileSpec()),
    ('[reconcile]\nprofile = "prod"\naws_region = "eu-west-1"\ntypes = ["AWS::EC2::Instance"]\n',
     ReconcileSpec("prod", "eu-west-1", None, ("AWS::EC2::Instance",))),
])
def test_reconcile_is_read_with_the_sources(tmp_path, text, expected):
    config = tmp_path / "cloudblame.toml"
    config.write_text(text + SOURCE)
    assert len(load_config(config)[0]) == 1
    assert load_reconcile(config) == expected


@pytest.mark.parametrize("text", ['reconcile = "yes"\n', "[reconcile]\nprofiles = 1\n", "[reconcile]\nprofile = 1\n",
                                  "[reconcile]\ntypes = 3\n"])
def test_a_bad_reconcile_says_where(tmp_path, text):
    config = tmp_path / "cloudblame.toml"
    config.write_text(text + SOURCE)
    with pytest.raises(ConfigError, match="reconcile"):
        load_reconcile(config)
