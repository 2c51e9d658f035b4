"""`python app.py`: the web chat on http://127.0.0.1:7860 (the same app as `assistant serve`)."""

import os

# Offline and quiet before anything heavy is imported: no model hub, no Gradio analytics.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

from assistant.settings import Settings
from assistant.web import serve

if __name__ == "__main__":
    serve(Settings())
