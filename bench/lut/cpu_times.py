"""The per-call thread CPU times of the wgbench runs under one folder, for
the bench/lut comparison scripts: {case name: [cpu_time of each run]},
the case name without wgbench's /real_time suffix, aggregates left out."""
import collections
import glob
import json


def load(out):
    t = collections.defaultdict(list)
    for f in glob.glob(out + '/*/bench.json'):
        for x in json.load(open(f))['benchmarks']:
            if x.get('run_type') != 'aggregate':
                t[x['name'].split('/real_time')[0]].append(x['cpu_time'])
    return t
