# The completeness counts of an OpenAPI document (the issue 12 checklist): python3 tools/openapi-lint/counts.py openapi/v1.json
import json,sys
d=json.load(open(sys.argv[1]))
ops=[(m,p,o) for p,it in d['paths'].items() for m,o in it.items() if m in ('get','post','put','delete','patch')]
comp=d.get('components',{})
def res(n):
    while isinstance(n,dict) and '$ref' in n:
        parts=n['$ref'].lstrip('#/').split('/'); x=d
        for s in parts: x=x[s]
        n=x
    return n
def params(o): return [res(p) for p in o.get('parameters',[])]

print('operations', len(ops))
print('with query parameters', sum(1 for m,p,o in ops if any(x['in']=='query' for x in params(o))))
qp=[x for m,p,o in ops for x in params(o) if x['in']=='query']
print('query parameters', len(qp), 'typed', sum(1 for x in qp if x.get('schema',{}).get('type')), 'with default', sum(1 for x in qp if 'default' in x.get('schema',{})), 'with enum/pattern', sum(1 for x in qp if 'enum' in x.get('schema',{}) or 'pattern' in x.get('schema',{})))
for h in ('Idempotency-Key','X-Request-Id','If-Match'):
    print('document', h, sum(1 for m,p,o in ops if any(x['name']==h for x in params(o))))
bodies=[(m,p,o) for m,p,o in ops if 'requestBody' in o]
def empty(s):
    s=res(s) if s else s
    return not s or (s.get('type') is None and not s.get('properties') and not s.get('items') and not s.get('oneOf') and not s.get('anyOf') and not s.get('allOf'))
print('request bodies', len(bodies), 'empty schema', [f'{m} {p}' for m,p,o in bodies if any(empty(c.get('schema')) for c in o['requestBody']['content'].values())],
      'without example', [f'{m} {p}' for m,p,o in bodies if not all('example' in c or 'examples' in c for c in o['requestBody']['content'].values())])
succ=[(m,p,c,r) for m,p,o in ops for c,r in o['responses'].items() if c.startswith('2')]
print('success responses', len(succ), 'empty/IResult schema', [f'{m} {p} {c}' for m,p,c,r in succ if not r.get('content') or any(empty(x.get('schema')) or x.get('schema',{}).get('$ref','').endswith('IResult') for x in r['content'].values())])
print('status codes', sorted(set(c for m,p,c,r in succ)))
print('document 401', sum(1 for m,p,o in ops if '401' in o['responses']), '403', sum(1 for m,p,o in ops if '403' in o['responses']))
pr=comp['schemas'].get('Problem',{})
print('Problem members', list(pr.get('properties',{}).keys()), 'required', pr.get('required'))
ak=res(bodies and next((o['requestBody']['content']['application/json']['schema'] for m,p,o in bodies if p=='/api/v1/api-keys'),{}))
print('api key create required', ak.get('required'))
print('description == operationId or missing', [f'{m} {p}' for m,p,o in ops if not o.get('description') or o.get('description')==o.get('operationId')])
print('summary missing', [f'{m} {p}' for m,p,o in ops if not o.get('summary')])
print('operationIds', sorted(o.get('operationId','') for m,p,o in ops))
print('security per op', sum(1 for m,p,o in ops if 'security' in o))
