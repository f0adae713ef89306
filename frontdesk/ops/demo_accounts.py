"""The demo sign-ins printed by `frontdesk run` (created by `frontdesk demo`)."""

DEMO_PASSWORD = "frontdesk-demo"
DEMO_SIGN_INS = [
    ("admin", "admin@demo.frontdesk.local", DEMO_PASSWORD),
    ("supervisor", "supervisor@demo.frontdesk.local", DEMO_PASSWORD),
    ("agent", "agent@demo.frontdesk.local", DEMO_PASSWORD),
    ("light agent", "light@demo.frontdesk.local", DEMO_PASSWORD),
    ("customer", "customer@demo.frontdesk.local", DEMO_PASSWORD),
]
