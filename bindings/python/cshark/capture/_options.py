"""How a capture's PyShark parameters become engine options: tshark's
custom_parameters read as (method, args) pairs, PyShark's 802.11 key types,
and the forwarding of constructor parameters to a parent class."""
import re

from cshark.exceptions import UnsupportedParameterError

_HEX64 = re.compile(r'[0-9A-Fa-f]{64}')
_LIVE_ONLY = frozenset(('set_capture_filter', 'set_snaplen', 'set_buffer_size', 'set_monitor_mode',
                        'set_promiscuous', 'set_duration'))


def _parse_custom_parameters(params):
    """tshark arguments (a list, or a dict {flag: value}) as engine options:
    a list of (method, args). Raises UnsupportedParameterError for the rest."""
    if not params:
        return []
    if isinstance(params, dict):
        pairs = [(str(k), None if v is None else str(v)) for k, v in params.items()]
    elif isinstance(params, (list, tuple)):
        tokens = [str(t) for t in params]
        pairs = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            i += 1
            name, value = tok, None
            if tok.startswith('--') and '=' in tok:
                name, value = tok.split('=', 1)
            elif len(tok) > 2 and tok[0] == '-' and tok[1] != '-' and tok[:2] in _WITH_VALUE:
                name, value = tok[:2], tok[2:]
            elif tok in _WITH_VALUE:
                if i >= len(tokens):
                    raise UnsupportedParameterError(f'custom parameter {tok} needs a value')
                value = tokens[i]
                i += 1
            pairs.append((name, value))
    else:
        raise TypeError("Custom parameters type not supported.")
    ops = []
    for name, value in pairs:
        if name in _FLAGS:
            ops.extend(_FLAGS[name])
            continue
        if name not in _WITH_VALUE:
            raise UnsupportedParameterError(
                f'custom parameter {name!r} has no in-process equivalent in cshark; supported: '
                + ', '.join(sorted(set(_WITH_VALUE) | set(_FLAGS))))
        if value is None:
            raise UnsupportedParameterError(f'custom parameter {name} needs a value')
        ops.append(_WITH_VALUE[name](value))
    return ops


def _duration(value):
    key, _, seconds = value.partition(':')
    if key != 'duration' or not seconds:
        raise UnsupportedParameterError(f'custom parameter -a {value!r}: only duration:N is supported')
    return ('set_duration', float(seconds))


_WITH_VALUE = {
    '-o': lambda v: ('set_pref', v),
    '-d': lambda v: ('decode_as', v),
    '-Y': lambda v: ('set_display_filter', v),
    '-c': lambda v: ('set_record_limit', int(v)),
    '-N': lambda v: ('set_name_resolution', v),
    '--disable-protocol': lambda v: ('set_protocol', v.strip(), False),
    '--enable-protocol': lambda v: ('set_protocol', v.strip(), True),
    '-f': lambda v: ('set_capture_filter', v),
    '-s': lambda v: ('set_snaplen', int(v)),
    '-B': lambda v: ('set_buffer_size', int(v) * 1024 * 1024),
    '-a': _duration,
}
_FLAGS = {
    '-2': [('set_two_pass', 1)],
    '-n': [('set_name_resolution', '')],
    '-l': [],
    '-I': [('set_monitor_mode', 1)],
    '-p': [('set_promiscuous', 0)],
}


def _wlan_key_type(encryption_type, key):
    """Wireshark's 802.11 key type for PyShark's encryption_type."""
    if encryption_type == 'wpa-pwk':  # PyShark's spelling: a passphrase or a PSK
        return 'wpa-psk' if _HEX64.fullmatch(key) else 'wpa-pwd'
    return encryption_type


_init_parameters = {}


def forwarded(parent, values):
    """The arguments of PARENT.__init__ that VALUES (a subclass __init__'s
    locals()) holds, by name: PyShark's constructors spell every parameter
    out, and each passes its own on to its parent's."""
    names = _init_parameters.get(parent)
    if names is None:
        import inspect
        names = _init_parameters[parent] = [
            n for n in inspect.signature(parent.__init__).parameters if n != 'self']
    return {n: values[n] for n in names if n in values}
