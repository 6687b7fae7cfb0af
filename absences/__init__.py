"""Absences (vacation, sick, parental, military deployment and TDY): requests and decisions."""
