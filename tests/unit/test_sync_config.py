"""cloudblame.toml (cloudblame.pipeline.sync.load_config): relative paths in it are relative to its own folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cloudblame.pipeline.sync import ConfigError, load_config


def write_config(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "cloudblame.toml"
    config.write_text(text)
    return config


def test_relative_paths_resolve_against_the_config_folder(tmp_path, monkeypatch):
    conf_dir = tmp_path / "etc" / "cloudblame"
    (conf_dir / "trails" / "x").mkdir(parents=True)
    (conf_dir / "trails" / "x" / "one.json").write_text(json.dumps({"Records": []}))
    config = write_config(conf_dir, '''db = "store"

[[path]]
path = "trails"
paths = ["../more", "/abs/trails", "~/home-trails"]

[[s3]]
url = "s3://org-trail/prefix"
''')
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    specs, db = load_config(Path(os.path.relpath(config, elsewhere)))  # a relative config path too
    s3_spec, path_spec = specs  # in the order s3, lookup, path
    assert path_spec.url == str(conf_dir / "trails") and Path(path_spec.url, "x", "one.json").is_file()
    assert path_spec.paths == [str(conf_dir / ".." / "more"), "/abs/trails", str(tmp_path / "home" / "home-trails")]
    assert s3_spec.url == "s3://org-trail/prefix"  # URLs stay as they are
    assert db == str(conf_dir / "store")
    assert not (elsewhere / "trails").exists()


def test_absolute_and_missing_values_stay(tmp_path, monkeypatch):
    config = write_config(tmp_path / "conf", f'[[path]]\npath = "{tmp_path / "abs"}"\n\n[[lookup]]\nregions = ["us-east-1"]\n')
    monkeypatch.chdir(tmp_path)
    specs, db = load_config(config)
    lookup, path = specs
    assert path.url == str(tmp_path / "abs") and lookup.url is None and db is None


def test_config_errors_still_name_the_file(tmp_path):
    config = write_config(tmp_path, '[[path]]\nworkers = 2\n')
    with pytest.raises(ConfigError, match=r"cloudblame.toml: \[\[path\]\] #1 needs path"):
        load_config(config)
