"""The scheduling engine: pure Python (plus OR-Tools), plain data in and out, no Django import."""
