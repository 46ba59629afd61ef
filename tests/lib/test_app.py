"""tools/anyvm_lib/app.py: an app folder and its anyvm.toml, checked before
anything is compiled, and the configuration source the image links."""

import pytest

from anyvm_lib import app


def make(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return str(tmp_path)


def test_defaults_from_the_folder(tmp_path):
    d = tmp_path / "My App"
    d.mkdir()
    (d / "main.c").write_text("int main(void) { return 0; }\n")
    (d / "util.c").write_text("int f(void) { return 1; }\n")
    (d / "notes.txt").write_text("not C\n")
    a = app.load(str(d))
    assert a.name == "my-app" and a.sources == ["main.c", "util.c"]
    assert a.args == [] and a.memory is None and a.stack_bytes == 0 and a.devices
    assert not a.network


def test_every_key(tmp_path):
    a = app.load(make(tmp_path, {"main.c": "", "anyvm.toml":
                                 'name = "web"\nargs = ["-p", "80", "a b"]\nmemory = "32M"\n'
                                 'stack = "256K"\ndevices = false\n'}))
    assert (a.name, a.args, a.memory, a.stack_bytes, a.devices) == \
        ("web", ["-p", "80", "a b"], "32M", 256 << 10, False)
    (tmp_path / "n").mkdir()
    b = app.load(make(tmp_path / "n", {"main.c": "", "anyvm.toml": "network = true\n"}))
    assert b.network and b.devices and b.block
    (tmp_path / "b").mkdir()
    c = app.load(make(tmp_path / "b", {"main.c": "", "anyvm.toml": "block = false\n"}))
    assert c.devices and not c.block
    (tmp_path / "r").mkdir()
    r = app.load(make(tmp_path / "r", {"main.c": "", "anyvm.toml":
                                       'target = "q35"\ncpus = 2\nenv = {K = "v"}\n'
                                       'ports = ["8080:80"]\ndisks = ["a.img,ro"]\n'}))
    assert (r.target, r.cpus, r.env, r.ports, r.disks) == \
        ("q35", 2, {"K": "v"}, ["8080:80"], ["a.img,ro"])


@pytest.mark.parametrize("manifest,message", [
    ('nmae = "x"', "unknown key 'nmae'"),
    ('name = "Web App"', "lower-case letters"),
    ("name = 3", "name must be a string"),
    ('args = "x"', "args must be a list of strings"),
    ("args = [1]", "args must be a list of strings"),
    ('args = ["say \\"hi\\""]', "double quote"),
    ("args = [" + ", ".join(['"a"'] * 33) + "]", "33 arguments"),
    ('memory = "64"', 'expected a size such as'),
    ('memory = "1M"', "at least 2M"),
    ('stack = "8K"', "from 16K to 64M"),
    ('devices = "no"', "devices must be true or false"),
    ("network = 1", "network must be true or false"),
    ("devices = false\nnetwork = true", "network = true needs the device layers"),
    ('block = "no"', "block must be true or false"),
    ('target = "vmware-esx"', "target = 'vmware-esx': one of microvm"),
    ("cpus = 0", "cpus: --cpus 0: give 1 to 255"),
    ('cpus = "2"', "cpus must be a whole number"),
    ('env = {A = "b c"}', "cannot hold a blank"),
    ("env = {A = 1}", "env.A must be a string"),
    ('ports = ["80"]', "ports: "),
    ("disks = [1]", "disks must be a list of strings"),
    ("devices = false\nblock = true", "block = true needs the device layers"),
    ("name = ", "not valid TOML"),
])
def test_bad_manifest_names_the_file(tmp_path, manifest, message):
    d = make(tmp_path, {"main.c": "", "anyvm.toml": manifest + "\n"})
    with pytest.raises(app.AppError) as e:
        app.load(d)
    assert str(e.value).startswith(d + "/anyvm.toml: ") and message in str(e.value)


def test_no_c_files(tmp_path):
    with pytest.raises(app.AppError, match="no C files"):
        app.load(make(tmp_path, {"README": "x"}))
    with pytest.raises(app.AppError, match="no such directory"):
        app.load(str(tmp_path / "missing"))


def test_config_source_escapes_strings(tmp_path):
    a = app.load(make(tmp_path, {"main.c": "", "anyvm.toml":
                                 'name = "x"\nargs = ["a\\\\b", "q\\u00e9", "tab\\tend", ""]\n'
                                 'memory = "64M"\n'}))
    src = app.config_source(a)
    assert 'const char anyvm_app_name[] = "x";' in src
    assert '{"a\\\\b", "q\\303\\251", "tab\\011end", "", 0}' in src
    assert "const unsigned long anyvm_app_stack_bytes = 0;" in src
    assert '"name=x\\012memory=64M\\012"' in src
    assert app.config_source(app.load(make(tmp_path, {"anyvm.toml": 'name = "x"\n'}))) \
        .count("anyvm_app_default_args[] = {0};") == 1
