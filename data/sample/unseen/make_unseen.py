"""Write the three synthetic "unseen" exports of this folder (see README.md): run it again for the same bytes.

    python data/sample/unseen/make_unseen.py [OUT_DIR]

Every value is drawn from a seeded generator: no record is real, no name, phone number or address belongs to
anyone (phone numbers are in the fictitious 555-01XX range). The shapes imitate exports the project has not
seen, each with its own traps for ``responsestats inspect``:

* ``fire_district.csv``: one row per responding unit; alarm date and clock time to the minute; the unit's
  dispatch as a clock time on the alarm's date (so dispatches after midnight read a day early); precomputed
  ``M:SS`` turnout and travel times; time on scene as ``M:SS`` / ``H:MM:SS`` text, and, in the rows an Excel
  re-save went through, as ``MM:SS:00`` (27 min 10 s written ``27:10:00``).
* ``psap_extract.csv``: one row per incident, 13 timestamps with milliseconds, ``NULL`` for a missing value,
  a dispatch and a dispatch-acknowledged stamp, a first-unit-available and a close stamp, a call source with
  ``OFFICER INITIATED``, a location, a caller phone and free-text notes.
* ``police_listing.csv``: one row per call, a single timestamp, a status column with outcome words, an ``ID``
  column, a location and a reporting party's name.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20240913

_STREETS = ("OAK", "MAPLE", "CEDAR", "PINE", "ELM", "WILLOW", "ASPEN", "BIRCH", "HICKORY", "SPRUCE", "LAUREL",
            "MAIN", "CHURCH", "MILL", "RIVER", "LAKE", "HILL", "PARK", "FOREST", "MEADOW", "5TH", "12TH", "1ST")
_SUFFIXES = ("ST", "AVE", "RD", "DR", "LN", "BLVD", "WAY", "CT")
_GIVEN = ("Maria", "James", "Linda", "Robert", "Patricia", "Michael", "Jennifer", "David", "Susan", "Daniel",
          "Karen", "Thomas", "Nancy", "Carlos", "Aisha", "Kevin", "Emily", "Brian", "Grace", "Oscar")
_FAMILY = ("Lopez", "Walker", "Nguyen", "Harris", "Patel", "Brooks", "Rivera", "Foster", "Kim", "Bennett",
           "Morales", "Hughes", "Sanders", "Price", "Coleman", "Jenkins", "Perry", "Russell", "Griffin", "Hayes")


def _street(rng: random.Random) -> str:
    return f"{rng.choice(_STREETS)} {rng.choice(_SUFFIXES)}"


def _address(rng: random.Random) -> str:
    """A street address: a house number, a block or an intersection."""
    r = rng.random()
    if r < 0.55:
        return f"{rng.randint(1, 98) * 100 + rng.randint(0, 99)} {_street(rng)}"
    if r < 0.8:
        return f"{rng.randint(1, 98) * 100} BLOCK OF {_street(rng)}"
    return f"{_street(rng)} & {_street(rng)}"


def _mss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def _hmmss(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


# --- a fire district's open-records export ----------------------------------------------------------------------
FIRE_TYPES = (
    ("321 - EMS call, excluding vehicle accident with injury", 0.55, (1, 2)),
    ("322 - Motor vehicle accident with injuries", 0.08, (2, 3)),
    ("111 - Building fire", 0.05, (3, 5)),
    ("131 - Passenger vehicle fire", 0.03, (1, 2)),
    ("745 - Alarm system activation, no fire - unintentional", 0.12, (1, 3)),
    ("611 - Dispatched and cancelled en route", 0.05, (1, 2)),
    ("553 - Public service", 0.07, (1, 1)),
    ("412 - Gas leak (natural gas or LPG)", 0.05, (2, 3)),
)
FIRE_UNITS = {"41": ("E41", "M41", "L41"), "42": ("E42", "M42"), "43": ("E43", "M43", "BR43"), "44": ("E44", "T44")}


def fire_district(rng: random.Random, incidents: int = 150) -> tuple[list[str], list[list[str]]]:
    """One row per responding unit (about 300 rows)."""
    header = ["Incident Number", "Unit", "Station", "Incident Type", "Priority", "Alarm Date", "Alarm Time",
              "Dispatch Time", "Turnout Time", "Travel Time", "Time On Scene", "Street Address", "Response District",
              "Shift"]
    start = dt.datetime(2024, 1, 2)
    alarms = sorted(start + dt.timedelta(seconds=rng.uniform(0, 180 * 86400)) for _ in range(incidents))
    for k in range(6):  # a few alarms in the last minutes of a day: their dispatch falls after midnight
        day = alarms[20 + k * 20].date()
        alarms[20 + k * 20] = dt.datetime.combine(day, dt.time(23, 57)) + dt.timedelta(seconds=rng.uniform(0, 170))
    alarms.sort()
    excel_from = dt.datetime(2024, 4, 1)  # the rows from April on went through an Excel re-save
    rows = []
    for n, alarm in enumerate(alarms, start=1):
        alarm = alarm.replace(microsecond=0)
        types, weights = [t[0] for t in FIRE_TYPES], [t[1] for t in FIRE_TYPES]
        itype = rng.choices(types, weights)[0]
        lo, hi = {t[0]: t[2] for t in FIRE_TYPES}[itype]
        station = rng.choice(sorted(FIRE_UNITS))
        units = list(FIRE_UNITS[station]) + [u for s, us in FIRE_UNITS.items() if s != station for u in us]
        units = units[: rng.randint(lo, hi)]
        emergent = not itype.startswith(("553", "745"))
        address = _address(rng)
        district = f"{station}-{rng.choice('ABC')}"
        shift = "ABC"[alarm.date().toordinal() % 3]
        cancelled = itype.startswith("611")
        processing = rng.uniform(35, 110)
        for k, unit in enumerate(units):
            dispatch = alarm + dt.timedelta(seconds=processing + k * rng.uniform(0, 45))
            turnout = rng.uniform(25, 95) if emergent else rng.uniform(45, 160)
            travel = rng.lognormvariate(5.8, 0.45)
            on_scene = min(rng.lognormvariate(7.3, 0.6), 4 * 3600)
            released = cancelled or (k > 0 and rng.random() < 0.08)
            scene = "" if released else (_mss(on_scene) if on_scene < 3600 else _hmmss(on_scene))
            if scene and alarm >= excel_from and on_scene < 3600:
                scene += ":00"  # Excel read "27:10" as 27 h 10 min and wrote it back as "27:10:00"
            rows.append([
                f"24-{n:05d}", unit, station, itype, "EMERGENT" if emergent else "NON-EMERGENT",
                alarm.strftime("%m/%d/%Y"), alarm.strftime("%H:%M"), dispatch.strftime("%H:%M"), _mss(turnout),
                "" if released else _mss(travel), scene, address, district, shift,
            ])
    return header, rows


# --- a PSAP's weekly CAD extract --------------------------------------------------------------------------------
PROBLEMS = {
    "POLICE": ("DISTURBANCE", "THEFT", "TRAFFIC STOP", "SUSPICIOUS VEHICLE", "ALARM-BURGLARY", "DOMESTIC",
               "ACCIDENT-PROPERTY DAMAGE", "WELFARE CHECK"),
    "FIRE": ("STRUCTURE FIRE", "FIRE ALARM", "GAS LEAK", "VEHICLE FIRE", "SMOKE INVESTIGATION"),
    "EMS": ("CHEST PAIN", "FALL", "BREATHING PROBLEM", "UNCONSCIOUS", "SICK PERSON", "TRAFFIC INJURY"),
}
DISPOSITIONS = {
    "POLICE": (("REPORT TAKEN", 0.25), ("ARREST", 0.08), ("CITATION ISSUED", 0.08), ("ADVISED", 0.2),
               ("GONE ON ARRIVAL", 0.1), ("UNFOUNDED", 0.07), ("NO ACTION REQUIRED", 0.12), ("DUPLICATE", 0.03),
               ("CANCELLED", 0.07)),
    "FIRE": (("NO ACTION REQUIRED", 0.4), ("INCIDENT MITIGATED", 0.35), ("CANCELLED", 0.15), ("DUPLICATE", 0.1)),
    "EMS": (("TRANSPORTED", 0.6), ("PATIENT REFUSED TRANSPORT", 0.2), ("TREATED AND RELEASED", 0.1),
            ("CANCELLED", 0.07), ("DUPLICATE", 0.03)),
}
NOTES = {
    "POLICE": ("caller reports a loud argument next door and says nobody is hurt",
               "a white sedan has been parked with the engine running for an hour",
               "alarm company reports a rear door zone, no keyholder on the way yet",
               "he says his neighbour took the package from the porch this morning"),
    "FIRE": ("smell of gas in the basement near the water heater, family is outside",
             "smoke coming from the roof of the garage behind the house, no one inside"),
    "EMS": ("the patient fell in the kitchen and cannot get up, the daughter is with her",
            "her husband has chest pain and is sweating, he is awake and talking"),
}


def _ms(t: dt.datetime | None) -> str:
    return "NULL" if t is None else t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"


def psap_extract(rng: random.Random, incidents: int = 400) -> tuple[list[str], list[list[str]]]:
    """One row per incident, a week of a PSAP's CAD."""
    header = ["Incident_Number", "Discipline", "Problem", "Priority", "Call_Source", "Response_Area", "Primary_Unit",
              "Location", "Caller_Phone", "PhonePickupTime", "CreateTime", "QueueTime", "EntryCompleteTime",
              "DispatchTime", "DispatchAckTime", "EnrouteTime", "ArriveTime", "PatientContactTime", "TransportTime",
              "AtHospitalTime", "FirstAvailableTime", "CloseTime", "Disposition", "Latitude", "Longitude",
              "Call_Notes"]
    start = dt.datetime(2024, 9, 1)
    created = sorted(start + dt.timedelta(seconds=rng.uniform(0, 7 * 86400)) for _ in range(incidents))

    def later(t: dt.datetime | None, lo: float, hi: float) -> dt.datetime | None:
        return None if t is None else t + dt.timedelta(seconds=rng.uniform(lo, hi))

    rows = []
    for n, create in enumerate(created, start=1):
        discipline = rng.choices(("POLICE", "FIRE", "EMS"), (0.55, 0.15, 0.3))[0]
        sources = ["911", "10-DIGIT", "ALARM COMPANY", "TEXT", "WALK-IN"] + (["OFFICER INITIATED"]
                                                                             if discipline == "POLICE" else [])
        weights = [0.55, 0.15, 0.08, 0.02, 0.04] + ([0.3] if discipline == "POLICE" else [])
        source = rng.choices(sources, weights)[0]
        onview = source == "OFFICER INITIATED"
        phone_call = source in ("911", "10-DIGIT", "ALARM COMPANY")
        pickup = create - dt.timedelta(seconds=rng.uniform(4, 35)) if phone_call else None
        queue = None if onview else later(create, 15, 80)
        entry = later(create, 2, 10) if onview else later(queue, 5, 60)
        cancel_before_dispatch = not onview and rng.random() < 0.04
        if onview:
            dispatch = later(create, 0, 5)
        elif cancel_before_dispatch:
            dispatch = None
        else:
            dispatch = later(queue, 5, 240 if discipline == "POLICE" else 60)
        ack = None if (dispatch is None or rng.random() < 0.35) else later(dispatch, 3, 50)
        enroute = None if dispatch is None or rng.random() < 0.03 else (
            dispatch if onview else later(dispatch, 10, 100))
        arrive = None if enroute is None or rng.random() < 0.05 else (
            later(dispatch, 0, 2) if onview else later(enroute, 90, 720))
        contact = transport = hospital = None
        if discipline == "EMS" and arrive is not None:
            contact = later(arrive, 30, 180)
            if rng.random() < 0.55:
                transport = later(contact, 600, 1500)
                hospital = later(transport, 300, 1200)
        several = rng.random() < (0.6 if discipline != "POLICE" else 0.3)
        if arrive is None:
            first_available = later(enroute if enroute is not None else dispatch, 30, 300)
        elif several and rng.random() < 0.45:  # a unit released before the first one arrived
            first_available = arrive - dt.timedelta(seconds=rng.uniform(10, 240))
        else:
            first_available = later(arrive, 300, 3000)
        last = max(t for t in (create, dispatch, enroute, arrive, first_available, hospital) if t is not None)
        close = later(last, 5, 900)
        if arrive is not None and rng.random() < 0.03:  # a few closes typed before the arrival
            close = arrive - dt.timedelta(seconds=rng.uniform(30, 600))
        disp = "CANCELLED" if cancel_before_dispatch else rng.choices(
            *zip(*DISPOSITIONS[discipline]))[0]
        unit = {"POLICE": f"P{rng.randint(1, 4)}{rng.choice('ABCD')}{rng.randint(10, 39)}",
                "FIRE": f"E{rng.randint(1, 9)}", "EMS": f"M{rng.randint(1, 12)}"}[discipline]
        lat, lon = ("NULL", "NULL") if rng.random() < 0.05 else (
            f"{41.80 + rng.uniform(-0.12, 0.12):.6f}", f"{-87.70 + rng.uniform(-0.15, 0.15):.6f}")
        rows.append([
            f"2024-{n + 51200:08d}", discipline, rng.choice(PROBLEMS[discipline]), str(rng.randint(1, 4)), source,
            f"{discipline[0]}{rng.randint(1, 24):02d}", "NULL" if dispatch is None else unit, _address(rng),
            f"312-555-01{rng.randint(0, 99):02d}" if phone_call and source != "ALARM COMPANY" else "NULL",
            _ms(pickup), _ms(create), _ms(queue), _ms(entry), _ms(dispatch), _ms(ack), _ms(enroute), _ms(arrive),
            _ms(contact), _ms(transport), _ms(hospital), _ms(first_available), _ms(close), disp, lat, lon,
            rng.choice(NOTES[discipline]) if phone_call and rng.random() < 0.7 else "NULL",
        ])
    return header, rows


# --- a police department's calls-for-service listing ------------------------------------------------------------
NATURES = ("DISTURBANCE", "THEFT", "SUSPICIOUS PERSON", "TRAFFIC STOP", "ALARM", "WELFARE CHECK", "NOISE COMPLAINT",
           "BURGLARY", "ASSAULT", "ACCIDENT - PROPERTY DAMAGE", "PARKING COMPLAINT", "FRAUD")
STATUSES = (("REPORT TAKEN", 0.2), ("ARREST", 0.07), ("CITATION ISSUED", 0.08), ("WARNING ISSUED", 0.1),
            ("UNFOUNDED", 0.07), ("GONE ON ARRIVAL", 0.1), ("CANCELLED BY CALLER", 0.06), ("DUPLICATE", 0.03),
            ("REFERRED TO OTHER AGENCY", 0.05), ("NO ACTION REQUIRED", 0.14), ("ASSISTED", 0.1))


def police_listing(rng: random.Random, calls: int = 300) -> tuple[list[str], list[list[str]]]:
    """One row per call: one timestamp (to the minute, hours without a leading zero)."""
    header = ["ID", "Reported", "Nature", "Status", "Location", "Reporting Party", "Beat", "How Received",
              "Report Number"]
    start = dt.datetime(2024, 2, 1)
    times = sorted(start + dt.timedelta(seconds=rng.uniform(0, 59 * 86400)) for _ in range(calls))
    rows = []
    reports = 0
    for n, t in enumerate(times, start=1):
        how = rng.choices(("911", "PHONE", "ON VIEW", "WALK-IN", "ONLINE"), (0.45, 0.25, 0.2, 0.05, 0.05))[0]
        status = rng.choices(*zip(*STATUSES))[0]
        nature = "TRAFFIC STOP" if how == "ON VIEW" and rng.random() < 0.5 else rng.choice(NATURES)
        party = "" if how == "ON VIEW" or rng.random() < 0.15 else f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
        report = ""
        if status in ("REPORT TAKEN", "ARREST"):
            reports += 1
            report = f"R24-{reports:06d}"
        rows.append([
            str(240000 + n), f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}", nature, status, _address(rng),
            party, f"{rng.randint(1, 4)}{rng.choice('ABC')}", how, report,
        ])
    return header, rows


def main(out: Path = HERE) -> None:
    """Write the three exports into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name, make in (("fire_district", fire_district), ("psap_extract", psap_extract),
                       ("police_listing", police_listing)):
        header, rows = make(random.Random(f"{SEED}-{name}"))
        _write(out / f"{name}.csv", header, rows)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
