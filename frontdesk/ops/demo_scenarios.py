# ruff: noqa: E501  (prose: the sentences of the demo conversations read better unbroken)
"""Plausible support conversations for the demo data and the benchmark datasets.

Each scenario is a small script: subjects, the customer's opening message, agent
replies, customer follow-ups and internal notes. Placeholders: {first} (the
customer's first name), {agent} (the agent's first name), {product}, {order}, {amount}.
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    team: str  # Billing | Technical | Success
    type: str  # question | incident | problem | task
    tags: tuple[str, ...]
    priority_weights: tuple[int, int, int, int]  # low, normal, high, urgent
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    replies: tuple[str, ...]
    follow_ups: tuple[str, ...]
    notes: tuple[str, ...]


TEAMS = ("Billing", "Technical", "Success")

PRODUCTS = (
    ("Starter plan (monthly)", "PLAN-STARTER-M", "29.00"),
    ("Team plan (monthly)", "PLAN-TEAM-M", "99.00"),
    ("Team plan (yearly)", "PLAN-TEAM-Y", "990.00"),
    ("Business plan (yearly)", "PLAN-BIZ-Y", "2490.00"),
    ("Extra seats x5", "ADDON-SEATS-5", "45.00"),
    ("Barcode scanner kit", "HW-SCAN-01", "149.00"),
    ("Receipt printer", "HW-PRINT-02", "219.00"),
    ("Onboarding workshop", "SVC-ONBOARD", "600.00"),
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="double_charge", team="Billing", type="incident", tags=("billing", "refund"),
        priority_weights=(1, 4, 4, 1),
        subjects=("Charged twice this month", "Duplicate payment on my card", "Why was I billed two times?"),
        openings=(
            "Hi, I just checked my bank statement and I was charged {amount} twice for {product} this month "
            "(order {order}). Can you refund the duplicate please?",
            "Hello, your system took two payments of {amount} on the same day. Order reference {order}. "
            "Please fix this quickly, it put my account into overdraft.",
        ),
        replies=(
            "Hi {first}, thanks for flagging this and sorry for the trouble. I can see two captures for order "
            "{order}; I have refunded the second one. It usually takes 3-5 business days to show on your "
            "statement.\n\nBest,\n{agent}",
            "Hi {first}, I have checked with our payment provider: the second charge was an authorisation hold "
            "that will drop off automatically within a few days. Nothing further is needed on your side.\n\n{agent}",
        ),
        follow_ups=(
            "Thanks, I can see the refund is pending now.",
            "It's been a week and the second charge is still there. Can you send me a refund confirmation?",
        ),
        notes=("Checked the payment provider dashboard: duplicate capture from the retry job at 02:00.",),
    ),
    Scenario(
        key="invoice_request", team="Billing", type="question", tags=("billing", "invoice"),
        priority_weights=(4, 5, 1, 0),
        subjects=("Invoice with our VAT number", "Need a corrected invoice", "Where can I download invoices?"),
        openings=(
            "Hello, our finance team needs the invoice for {order} to show our company VAT number. "
            "Could you reissue it?",
            "Hi, where do I find invoices for {product}? I can't see them anywhere in the account settings.",
        ),
        replies=(
            "Hi {first}, you can add the VAT number under Settings → Billing → Company details; every new "
            "invoice will include it. I have reissued the invoice for {order} and attached it here.\n\n{agent}",
            "Hi {first}, invoices are under Settings → Billing → History. Only account owners can see that page, "
            "so if you are not the owner please ask them to add you as a billing contact.\n\nCheers, {agent}",
        ),
        follow_ups=("Perfect, that's exactly what we needed. Thanks!", "Got it, thank you."),
        notes=("Customer is on the yearly plan, invoice regenerated manually.",),
    ),
    Scenario(
        key="cancel_subscription", team="Billing", type="task", tags=("billing", "cancellation"),
        priority_weights=(2, 6, 2, 0),
        subjects=("Please cancel my subscription", "Downgrade to the starter plan", "Cancel auto-renewal"),
        openings=(
            "Hi, we are closing the shop at the end of the month. Please cancel {product} and make sure we are "
            "not charged again.",
            "We don't need all the seats anymore; can we move from {product} to the starter plan?",
        ),
        replies=(
            "Hi {first}, sorry to see you go! I have turned off auto-renewal; the account stays active until the "
            "end of the current period and you won't be charged again.\n\n{agent}",
            "Hi {first}, done: the change takes effect at your next renewal and the price difference will be "
            "credited to your account.\n\n{agent}",
        ),
        follow_ups=("Great, thanks for the quick help.", "Will I still be able to export my data afterwards?"),
        notes=("Offered a 20% retention discount, customer declined.", "Churn reason: business closing."),
    ),
    Scenario(
        key="login_problem", team="Technical", type="incident", tags=("login", "account"),
        priority_weights=(1, 4, 4, 1),
        subjects=("Can't log in", "Password reset email never arrives", "Locked out of my account",
                  "Two-factor code not accepted"),
        openings=(
            "I have been trying to log in since this morning and it keeps saying my password is wrong. "
            "I reset it twice already.",
            "The password reset email never arrives. I checked spam. My address is the one I'm writing from.",
            "My two-factor codes are rejected since I changed phones. How do I get back into my account?",
        ),
        replies=(
            "Hi {first}, I can see several failed attempts, so the account was temporarily locked for safety. "
            "I have unlocked it; please try again and use the reset link within 30 minutes.\n\n{agent}",
            "Hi {first}, our mail log shows the reset emails were rejected by your mail server. Could you ask "
            "your IT team to allow messages from our domain? Meanwhile I have sent a reset link to your backup "
            "address.\n\n{agent}",
            "Hi {first}, for security I need to verify your identity before resetting two-factor. Please reply "
            "with the last four digits of the card on file and the date of your last invoice.\n\n{agent}",
        ),
        follow_ups=("It works now, thank you!", "Still not working, same error.",
                    "Here are the details you asked for: card ending 4421, last invoice on the 3rd."),
        notes=("Account was locked after 10 failed attempts.", "Mail server of the customer bounces our SPF."),
    ),
    Scenario(
        key="bug_report", team="Technical", type="problem", tags=("bug",),
        priority_weights=(1, 3, 4, 2),
        subjects=("Export to CSV fails", "Error 500 when saving a report", "Dashboard is blank since the update",
                  "Sync with the POS stopped"),
        openings=(
            "When I export the monthly report to CSV the download starts and then fails with a network error. "
            "It worked last week. Browser: Firefox 128.",
            "Saving a report gives 'Something went wrong' (error 500). Steps: open Reports, add a filter on "
            "date, click Save.",
            "Since this morning's update the dashboard is completely blank for all our users.",
        ),
        replies=(
            "Hi {first}, thank you for the clear steps, I could reproduce it. Our developers are on it and I "
            "will update you as soon as a fix is released.\n\n{agent}",
            "Hi {first}, a fix for this was released a few minutes ago. Could you reload the page (Ctrl+Shift+R) "
            "and try again?\n\n{agent}",
        ),
        follow_ups=("Confirmed, it works again. Thanks to the team!", "Any news? This is blocking our month end.",
                    "Still failing for me, I attached a screenshot of the console."),
        notes=("Reproduced on staging. Linked to the engineering issue.", "Root cause: timeout on large exports."),
    ),
    Scenario(
        key="feature_request", team="Success", type="question", tags=("feature-request",),
        priority_weights=(6, 4, 0, 0),
        subjects=("Feature request: dark mode", "Can we schedule reports?", "Suggestion: bulk edit products",
                  "Please add an API for stock levels"),
        openings=(
            "Love the product! One thing that would help a lot: being able to schedule reports to be emailed "
            "every Monday.",
            "Is there any plan to allow bulk editing of products? Editing 300 prices one by one is painful.",
        ),
        replies=(
            "Hi {first}, thanks for the suggestion! I have added your vote to this request on our roadmap; "
            "I'll let you know when it ships.\n\n{agent}",
            "Hi {first}, good news: this is already possible with the import tool (Products → Import). Here is "
            "a short guide on how to do it.\n\n{agent}",
        ),
        follow_ups=("Thanks, looking forward to it.", "Oh nice, I didn't know about the import tool. Thanks!"),
        notes=("Logged in the product feedback board (12 votes now).",),
    ),
    Scenario(
        key="shipping_delay", team="Success", type="incident", tags=("shipping", "hardware"),
        priority_weights=(1, 5, 3, 1),
        subjects=("Where is my order?", "Scanner not delivered yet", "Tracking number doesn't work"),
        openings=(
            "I ordered the {product} ({order}) ten days ago and it still hasn't arrived. The tracking page "
            "hasn't changed in four days.",
            "The tracking number you sent for order {order} says 'not found'. When will it ship?",
        ),
        replies=(
            "Hi {first}, I'm sorry about the delay. The carrier confirmed the parcel is held at their depot; "
            "it will be delivered within two business days.\n\n{agent}",
            "Hi {first}, the parcel was lost in transit, so I have shipped a replacement with express delivery "
            "at no cost. New tracking details will follow by email.\n\n{agent}",
        ),
        follow_ups=("Received it today, thanks.", "Still nothing. This is getting frustrating."),
        notes=("Carrier claim opened.", "Replacement shipped from the EU warehouse."),
    ),
    Scenario(
        key="hardware_fault", team="Technical", type="incident", tags=("hardware", "rma"),
        priority_weights=(1, 4, 4, 1),
        subjects=("Receipt printer jams", "Scanner doesn't pair", "Device won't turn on"),
        openings=(
            "Our {product} keeps jamming after every few receipts. We cleaned it as the manual says.",
            "The {product} will not pair with the tablet any more. We tried resetting it.",
        ),
        replies=(
            "Hi {first}, thanks for trying the cleaning steps. Could you send a photo of the paper roll and "
            "the serial number on the back of the device?\n\n{agent}",
            "Hi {first}, this looks like a hardware fault covered by the warranty. I have created a return "
            "label; a replacement ships as soon as the carrier scans the parcel.\n\n{agent}",
        ),
        follow_ups=("Photo attached, serial is on the sticker.", "Thanks, we'll send it back tomorrow."),
        notes=("Known batch issue with early serials, approve RMA.",),
    ),
    Scenario(
        key="onboarding", team="Success", type="question", tags=("onboarding", "how-to"),
        priority_weights=(4, 5, 1, 0),
        subjects=("How do I invite my team?", "Setting up user roles", "Importing our customer list"),
        openings=(
            "We just signed up for {product}. How do I invite the rest of the team and give them limited access?",
            "What's the best way to import our existing customer list (about 4,000 rows in Excel)?",
        ),
        replies=(
            "Hi {first}, welcome aboard! Go to Settings → Team → Invite, and pick the 'Staff' role for limited "
            "access. Happy to hop on a short call if that helps.\n\n{agent}",
            "Hi {first}, save the sheet as CSV and use Customers → Import; the first row must hold the column "
            "names. Let me know if any rows are rejected.\n\n{agent}",
        ),
        follow_ups=("That was easy, thanks!", "A call would be great, are you free Thursday afternoon?"),
        notes=("Booked onboarding call for Thursday.",),
    ),
    Scenario(
        key="data_privacy", team="Success", type="task", tags=("privacy", "account"),
        priority_weights=(2, 6, 2, 0),
        subjects=("GDPR data export request", "Please delete my personal data", "DPA for our legal team"),
        openings=(
            "Under GDPR I would like a copy of all personal data you hold about me.",
            "Our legal team needs your data processing agreement signed before renewal. Who can help?",
        ),
        replies=(
            "Hi {first}, I have started the export; you will receive a download link by email within 48 hours."
            "\n\n{agent}",
            "Hi {first}, our standard DPA is attached. If your legal team needs changes, reply here and I will "
            "involve our privacy officer.\n\n{agent}",
        ),
        follow_ups=("Received, thank you.", "Thanks, forwarding it to legal now."),
        notes=("Verified identity via account email before starting export.",),
    ),
)

FIRST_NAMES = (
    "Emma", "Liam", "Olivia", "Noah", "Ava", "Lucas", "Mia", "Leo", "Sofia", "Hugo", "Chloe", "Elias",
    "Nora", "Jonas", "Aisha", "Omar", "Yuki", "Kenji", "Priya", "Arjun", "Fatima", "Mateo", "Lena",
    "Tomás", "Ingrid", "Sven", "Zara", "Ravi", "Chen", "Mei", "Diego", "Ana", "Paul", "Julia", "Marco",
)
LAST_NAMES = (
    "Martin", "Bernard", "Schmidt", "Rossi", "Garcia", "Smith", "Jones", "Nguyen", "Kowalski", "Novak",
    "Andersen", "Silva", "Costa", "Yamamoto", "Tanaka", "Patel", "Khan", "Haddad", "Okafor", "Mensah",
    "Dubois", "Moreau", "Fischer", "Weber", "Jansen", "Larsen", "Ivanova", "Horvat", "Byrne", "Walsh",
)
COMPANY_WORDS = (
    "Acme", "Northwind", "Bluebird", "Cedar", "Granite", "Harbor", "Juniper", "Lumen", "Maple", "Nimbus",
    "Orchid", "Pioneer", "Quartz", "Riverside", "Summit", "Tidal", "Umbra", "Vertex", "Willow", "Zenith",
)
COMPANY_SUFFIXES = ("Coffee", "Bikes", "Books", "Outfitters", "Bakery", "Pharmacy", "Florists", "Hardware")


def status_for_age(age_days: float, rng: random.Random) -> str:
    """A believable status for a ticket this many days old (shared by the demo and the benchmark)."""
    r = rng.random()
    if age_days < 1:
        return "new" if r < 0.4 else "open" if r < 0.8 else "pending"
    if age_days < 7:
        return "open" if r < 0.3 else "pending" if r < 0.5 else "on_hold" if r < 0.55 else "solved"
    if age_days < 21:
        return "open" if r < 0.05 else "pending" if r < 0.1 else "solved" if r < 0.6 else "closed"
    return "closed" if r < 0.9 else "solved"
