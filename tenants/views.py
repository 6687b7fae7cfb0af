from django.http import HttpResponse
def home(request): return HttpResponse("x")
def program_switch(request): return HttpResponse("x")
