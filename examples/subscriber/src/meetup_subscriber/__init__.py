"""An example subscriber of nkohub's events: meetups and attendance, counted per meetup."""

from meetup_subscriber.settings import Settings
from meetup_subscriber.store import MeetupFigures, Store
from meetup_subscriber.subscriber import MeetupSubscriber

__all__ = ["MeetupFigures", "MeetupSubscriber", "Settings", "Store"]
