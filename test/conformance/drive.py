# Calls one method of jarviceclient3's library, unchanged, as a script would:
#   python drive.py <method> '<json kwargs>'
# with JARVICE_URL, JARVICE_USERNAME and JARVICE_APIKEY in the environment.
# Prints {"result": ..., "errors": ...} (the pair every library method returns)
# as JSON on stdout. An exception inside the client is not caught: the
# traceback and a non-zero exit are what a user of the client would see.
import json
import os
import sys

from jarviceclient.JarviceAPI import AuthenticatedClient

method, kwargs = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
client = AuthenticatedClient(os.environ["JARVICE_USERNAME"], os.environ["JARVICE_APIKEY"], os.environ["JARVICE_URL"])
result, errors = getattr(client, method)(**kwargs)
print(json.dumps({"result": result, "errors": errors}))
